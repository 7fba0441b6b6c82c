import QRCode from "qrcode";

/** The ticket's QR as an SVG data URL, large enough to scan from a phone screen. */
export async function ticketQrDataUrl(secret: string): Promise<string> {
  const svg = await QRCode.toString(secret, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}
