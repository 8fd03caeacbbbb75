/** Text ⇄ base64 of its UTF-8 bytes, for fields the cloud API takes as base64. */
export function textToBase64(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
