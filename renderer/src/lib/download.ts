/** Saves text as a file through the browser's (or Electron's) download, without a server round trip. */
export function saveText(fileName: string, text: string, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // The download has its own reference to the data once started.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
