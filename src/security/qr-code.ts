import QRCode from 'qrcode';

/** A QR code PNG of `text`, large enough for a phone to scan from a chat photo. */
export function renderQrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
}
