// KYC documents before they leave the browser: the same rules as the server (PDF, JPEG or PNG by
// their first bytes, at most 5 MB), so a wrong file is refused at once, in words.

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const DOC_TYPES = ["id_front", "id_back", "selfie", "proof_of_address"];

/** "application/pdf", "image/jpeg", "image/png" or null, from the file's magic bytes. */
export function sniffType(bytes) {
  const starts = (...sig) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "application/pdf"; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  return null;
}

export function toBase64(bytes) {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
