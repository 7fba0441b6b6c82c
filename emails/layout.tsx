import type { CSSProperties, ReactNode } from "react";

/**
 * The frame every email shares: nested tables and inline styles only, because
 * mail clients (Outlook, Gmail) ignore <style> blocks and flexbox.
 */

export const FONT =
  "'Hiragino Kaku Gothic ProN','Hiragino Sans','Yu Gothic',Meiryo,'Noto Sans JP',sans-serif";
const BRAND = "#0b4f6c";
const TEXT = "#1f2933";
const MUTED = "#52606d";
const BORDER = "#d9e2ec";

export const styles = {
  paragraph: { margin: "0 0 16px" },
  heading: { margin: "24px 0 8px", fontSize: "16px", color: BRAND },
  link: { color: BRAND, textDecoration: "underline", wordBreak: "break-all" },
  muted: { color: MUTED, fontSize: "13px" },
} satisfies Record<string, CSSProperties>;

/** Text with an optional link, used by both the HTML and the plain-text version. */
export type Part = string | { text: string; href: string };
export type Fact = { label: string; lines: Part[] };

export const FOOTER_LINES = [
  "このメールは送信専用です。ご返信いただいてもお答えできません。",
  "お問い合わせ: 自治労福島県本部 TEL 024-523-4324",
];

export function EmailLayout(props: {
  subject: string;
  preheader: string;
  appUrl: string;
  children: ReactNode;
}) {
  return (
    <html lang="ja">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.subject}</title>
      </head>
      <body style={{ margin: 0, padding: 0, backgroundColor: "#f4f5f7" }}>
        <div style={{ display: "none", maxHeight: 0, overflow: "hidden" }}>{props.preheader}</div>
        <table
          role="presentation"
          width="100%"
          cellPadding={0}
          cellSpacing={0}
          border={0}
          style={{ backgroundColor: "#f4f5f7" }}
        >
          <tbody>
            <tr>
              <td align="center" style={{ padding: "24px 12px" }}>
                <table
                  role="presentation"
                  width="600"
                  cellPadding={0}
                  cellSpacing={0}
                  border={0}
                  style={{
                    width: "100%",
                    maxWidth: "600px",
                    backgroundColor: "#ffffff",
                    border: `1px solid ${BORDER}`,
                    borderRadius: "6px",
                  }}
                >
                  <tbody>
                    <tr>
                      <td
                        style={{
                          backgroundColor: BRAND,
                          color: "#ffffff",
                          padding: "16px 24px",
                          fontFamily: FONT,
                          fontSize: "18px",
                          fontWeight: "bold",
                          borderRadius: "6px 6px 0 0",
                        }}
                      >
                        自治研イベント
                      </td>
                    </tr>
                    <tr>
                      <td
                        style={{
                          padding: "24px",
                          fontFamily: FONT,
                          fontSize: "15px",
                          lineHeight: "1.7",
                          color: TEXT,
                        }}
                      >
                        {props.children}
                      </td>
                    </tr>
                    <tr>
                      <td
                        style={{
                          padding: "16px 24px",
                          borderTop: `1px solid ${BORDER}`,
                          fontFamily: FONT,
                          fontSize: "12px",
                          lineHeight: "1.6",
                          color: MUTED,
                        }}
                      >
                        {FOOTER_LINES.map((line) => (
                          <div key={line}>{line}</div>
                        ))}
                        <div>
                          <a href={props.appUrl} style={{ color: MUTED }}>
                            {props.appUrl}
                          </a>
                        </div>
                      </td>
                    </tr>
                  </tbody>
                </table>
              </td>
            </tr>
          </tbody>
        </table>
      </body>
    </html>
  );
}

/** A call-to-action link drawn as a button (a table cell, which every client renders). */
export function Button(props: { href: string; children: ReactNode }) {
  return (
    <table
      role="presentation"
      cellPadding={0}
      cellSpacing={0}
      border={0}
      style={{ margin: "8px 0 16px" }}
    >
      <tbody>
        <tr>
          <td style={{ backgroundColor: BRAND, borderRadius: "4px" }}>
            <a
              href={props.href}
              style={{
                display: "inline-block",
                padding: "12px 24px",
                color: "#ffffff",
                fontFamily: FONT,
                fontSize: "15px",
                fontWeight: "bold",
                textDecoration: "none",
              }}
            >
              {props.children}
            </a>
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function PartView({ part }: { part: Part }) {
  if (typeof part === "string") return <>{part}</>;
  return (
    <a href={part.href} style={styles.link}>
      {part.text}
    </a>
  );
}

/** Label / value rows, e.g. 日時 / 2023年8月18日(金) 18:00〜20:00. */
export function FactsTable({ facts }: { facts: Fact[] }) {
  return (
    <table
      role="presentation"
      width="100%"
      cellPadding={0}
      cellSpacing={0}
      border={0}
      style={{ borderCollapse: "collapse", margin: "0 0 16px" }}
    >
      <tbody>
        {facts.map((fact) => (
          <tr key={fact.label}>
            <th
              align="left"
              style={{
                verticalAlign: "top",
                width: "30%",
                padding: "8px 8px 8px 0",
                borderBottom: `1px solid ${BORDER}`,
                fontFamily: FONT,
                fontSize: "14px",
                fontWeight: "bold",
                color: MUTED,
              }}
            >
              {fact.label}
            </th>
            <td
              style={{
                verticalAlign: "top",
                padding: "8px 0",
                borderBottom: `1px solid ${BORDER}`,
                fontFamily: FONT,
                fontSize: "15px",
                color: TEXT,
              }}
            >
              {fact.lines.map((part, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the lines are static and never reordered
                <div key={index}>
                  <PartView part={part} />
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The plain-text form of a list of facts: 「■ 日時」 and the value below it. */
export function factsText(facts: Fact[]): string {
  return facts
    .map((fact) => [`■ ${fact.label}`, ...fact.lines.map(partText)].join("\n"))
    .join("\n\n");
}

export function partText(part: Part): string {
  if (typeof part === "string") return part;
  return part.text === part.href ? part.href : `${part.text}: ${part.href}`;
}

export function footerText(appUrl: string): string {
  return ["--", "自治研イベント", ...FOOTER_LINES, appUrl].join("\n");
}
