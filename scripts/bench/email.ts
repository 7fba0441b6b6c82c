/**
 * Benchmark: render and send the registration confirmation (QR inline, .ics
 * attached) to a local smtp-server, against nodemailer sending a plain text
 * message to the same server. Target (issue 8): ≥ 50 emails/s.
 */
import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { renderEmail } from "../../emails/render";
import type { EmailMessage } from "../../emails/types";
import { report } from "./support";

const COUNT = Number(process.env.BENCH_EMAILS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => {
      received++;
      callback();
    });
  },
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.server.address() as AddressInfo).port;
const transport = nodemailer.createTransport({
  host: "127.0.0.1",
  port,
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: CONCURRENCY,
});

const message = (i: number): EmailMessage => ({
  template: "registration",
  payload: {
    kind: "confirmed",
    name: "佐藤 花子",
    event: {
      title: "第40回地方自治研究全国集会(島根自治研)",
      slug: "zenkoku-40-shimane",
      startsAt: "2027-03-26T01:00:00.000Z",
      endsAt: "2027-03-27T07:00:00.000Z",
      venueName: "島根県民会館",
      venueAddress: "島根県松江市殿町158",
      mapUrl:
        "https://www.google.com/maps/search/?api=1&query=%E5%B3%B6%E6%A0%B9%E7%9C%8C%E6%B0%91%E4%BC%9A%E9%A4%A8",
      onlineLabel: "",
      programme: [
        { startsAt: "2027-03-26T01:00:00.000Z", title: "全体集会", speaker: "" },
        { startsAt: "2027-03-27T00:00:00.000Z", title: "分科会", speaker: "" },
      ],
    },
    ticketSecret: `bench-${i}-${"x".repeat(40)}`,
    ticketCode: "K7MX-3QPA-W9XY",
    course: "第8分科会 自治体DX最前線!",
    sessions: ["全体集会", "分科会"],
    manageUrl: "http://localhost:3000/me",
  },
});

async function run(label: string, send: (i: number) => Promise<unknown>): Promise<number> {
  const before = received;
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT) await send(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = COUNT / seconds;
  console.log(
    `${label}: ${COUNT} emails in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s (received ${received - before})`,
  );
  return rate;
}

try {
  const baseline = await run("plain text", (i) =>
    transport.sendMail({
      from: "bench@jichiken.local",
      to: "member@example.jp",
      subject: `plain ${i}`,
      text: "本文です。",
    }),
  );
  const product = await run("confirmation (QR + .ics)", async (i) => {
    const email = await renderEmail(message(i), { appUrl: "http://localhost:3000" });
    await transport.sendMail({
      from: "bench@jichiken.local",
      to: "member@example.jp",
      subject: email.subject,
      html: email.html,
      text: email.text,
      attachments: email.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.contentType,
        cid: a.cid,
      })),
    });
  });
  report({
    bench: "email",
    figure: "confirmations sent/s",
    product: `${product.toFixed(0)}/s`,
    baseline: `${baseline.toFixed(0)}/s (plain text, same server)`,
    ratio: product / baseline,
    target: "≥ 50/s",
    met: product >= 50,
  });
} finally {
  transport.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
