/** Saves text as a file through the browser's (or Electron's) download, without a server round trip. */
export function saveText(fileName: string, text: string, doc: Document = document): void {
  saveBlob(fileName, new Blob([text], { type: 'application/octet-stream' }), doc);
}

/** Saves bytes (e.g. a DER key) as a file, the same way. */
export function saveBytes(fileName: string, bytes: Uint8Array<ArrayBuffer>, doc: Document = document): void {
  saveBlob(fileName, new Blob([bytes], { type: 'application/octet-stream' }), doc);
}

function saveBlob(fileName: string, blob: Blob, doc: Document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // The download has its own reference to the data once started.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
