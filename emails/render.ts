import QRCode from "qrcode";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { GroupMeetingHtml, groupMeetingIcs, groupMeetingText } from "./group-meeting";
import { eventIcs } from "./ics";
import { LoginLinkHtml, loginLinkText } from "./login-link";
import { NoticeHtml, noticeText } from "./notice";
import { RecruitmentResultHtml, recruitmentResultText } from "./recruitment-result";
import { holdsTicket, isOnlineOnly, RegistrationHtml, registrationText } from "./registration";
import { StaffHtml, staffText } from "./staff";
import { emailSubject } from "./subject";
import type { EmailMessage, RenderedEmail } from "./types";

export { emailSubject } from "./subject";

/**
 * pngjs's options for the ticket's QR, which qrcode passes through (its types
 * name only the deflate ones). By default pngjs tries all five row filters
 * on every row and keeps the best: 40 % of an email's CPU in the email
 * benchmark. A QR's rows repeat module by module, so "Up" (2) alone
 * compresses them well: about 4 ms instead of 12–14 ms a QR, 6 KB instead of
 * 2.4 KB. The test decodes the QR from the email.
 */
const QR_PNG = { filterType: 2, deflateLevel: 6 };
const QR_CID = "ticket-qr@jichiken.local";

function toHtml(element: Parameters<typeof renderToStaticMarkup>[0]): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`;
}

/**
 * Turns a stored message into what is sent: subject, HTML, plain text and
 * attachments. A registration that holds a seat carries its QR code inline
 * (cid) and an event.ics; a cancellation carries neither.
 */
export async function renderEmail(
  message: EmailMessage,
  options: { appUrl: string },
): Promise<RenderedEmail> {
  const subject = emailSubject(message);
  const { appUrl } = options;
  switch (message.template) {
    case "notice": {
      const email = message.payload;
      return {
        subject,
        html: toHtml(createElement(NoticeHtml, { email, subject, appUrl })),
        text: noticeText({ email, appUrl }),
        attachments: [],
      };
    }
    case "staff": {
      const email = message.payload;
      return {
        subject,
        html: toHtml(createElement(StaffHtml, { email, subject, appUrl })),
        text: staffText({ email, appUrl }),
        attachments: [],
      };
    }
    case "login_link": {
      const email = message.payload;
      return {
        subject,
        html: toHtml(createElement(LoginLinkHtml, { email, subject, appUrl })),
        text: loginLinkText({ email, appUrl }),
        attachments: [],
      };
    }
    case "registration": {
      const email = message.payload;
      const attachments: RenderedEmail["attachments"] = [];
      const holds = holdsTicket(email) && email.ticketSecret;
      // An online event has no reception desk: its mail leads with the Zoom link, and carries no QR.
      const ticket = holds && !isOnlineOnly(email.event) ? email.ticketSecret : undefined;
      if (ticket) {
        const png = await QRCode.toBuffer(ticket, {
          type: "png",
          errorCorrectionLevel: "M",
          width: 300,
          margin: 2,
          rendererOpts: QR_PNG,
        });
        attachments.push({
          filename: "ticket-qr.png",
          content: png,
          contentType: "image/png",
          cid: QR_CID,
        });
      }
      if (holds) {
        attachments.push({
          filename: "event.ics",
          content: Buffer.from(eventIcs(email.event, { manageUrl: email.manageUrl }), "utf8"),
          contentType: "text/calendar; charset=utf-8; method=PUBLISH",
        });
      }
      return {
        subject,
        html: toHtml(
          createElement(RegistrationHtml, {
            email,
            subject,
            appUrl,
            qrCid: ticket ? QR_CID : undefined,
          }),
        ),
        text: registrationText({ email, appUrl }),
        attachments,
      };
    }
    case "group_meeting": {
      const email = message.payload;
      return {
        subject,
        html: toHtml(createElement(GroupMeetingHtml, { email, subject, appUrl })),
        text: groupMeetingText({ email, appUrl }),
        attachments: [
          {
            filename: "meeting.ics",
            content: Buffer.from(groupMeetingIcs(email), "utf8"),
            contentType: "text/calendar; charset=utf-8; method=PUBLISH",
          },
        ],
      };
    }
    case "recruitment_result": {
      const email = message.payload;
      return {
        subject,
        html: toHtml(createElement(RecruitmentResultHtml, { email, subject, appUrl })),
        text: recruitmentResultText({ email, appUrl }),
        attachments: [],
      };
    }
  }
}

/** The HTML with its inline (cid:) images as data: URLs, so a browser can show it. */
export function htmlWithDataImages(email: RenderedEmail): string {
  let html = email.html;
  for (const attachment of email.attachments) {
    if (!attachment.cid) continue;
    const dataUrl = `data:${attachment.contentType};base64,${attachment.content.toString("base64")}`;
    html = html.split(`cid:${attachment.cid}`).join(dataUrl);
  }
  return html;
}
