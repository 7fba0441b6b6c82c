import type { CheckinResultCode } from "../../db/schema";
import { formatTime } from "../utils/format";

/**
 * What a scan answers, shared by the server (online scans and sync) and the
 * page (offline scans against the roster), so a desk shows the same screen
 * either way. Messages come from the one table in errors.server.ts; the page
 * receives them from its loader.
 */
export type CheckinTone = "green" | "amber" | "red";

export type CheckinMessages = Record<Exclude<CheckinResultCode, "ok">, string>;

export type CheckinAttendee = {
  registrationId: string;
  name: string;
  kana: string;
  union: string;
  course: string;
  ticketCode: string;
  dietary: string;
  accessibility: string;
};

export type CheckinStamp = {
  id: string | null;
  /** ISO time of the check-in */
  at: string;
  desk: string;
  staffName: string;
};

export type CheckinResult = {
  code: CheckinResultCode;
  tone: CheckinTone;
  title: string;
  message: string;
  listId: number;
  listName: string;
  attendee: CheckinAttendee | null;
  checkin: CheckinStamp | null;
  /** answered from the nonce's first answer, not acted on again */
  replayed: boolean;
  /** decided on this device against the roster, waiting to be sent */
  offline: boolean;
};

const TONES: Record<CheckinResultCode, CheckinTone> = {
  ok: "green",
  already_checked_in: "amber",
  not_registered_for_session: "red",
  waitlisted: "red",
  cancelled: "red",
  unknown_ticket: "red",
};

const TITLES: Record<CheckinResultCode, string> = {
  ok: "受付OK",
  already_checked_in: "受付済み",
  not_registered_for_session: "対象外",
  waitlisted: "キャンセル待ち",
  cancelled: "キャンセル済み",
  unknown_ticket: "確認できません",
};

/**
 * A typed or scanned ticket code in its stored form ("K7MX-3QPA-W9"): full-width
 * characters, lower case, spaces and any kind of dash are forgiven. The server
 * matches it, the page hashes it to match the roster offline.
 */
export function normaliseTicketCode(raw: string): string | null {
  const s = raw
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-‐‑–—―ー_]/g, "");
  return /^[0-9A-Z]{12}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}` : null;
}

/** "10:02に受付Aで受付済み(担当: 山田 花子)" */
export function describeStamp(stamp: CheckinStamp): string {
  const desk = stamp.desk || "受付";
  const staff = stamp.staffName ? `(担当: ${stamp.staffName})` : "";
  return `${formatTime(stamp.at)}に${desk}で受付済み${staff}`;
}

/** The one place a result's colour, title and message are decided. */
export function buildCheckinResult(
  args: {
    code: CheckinResultCode;
    listId: number;
    listName: string;
    attendee: CheckinAttendee | null;
    checkin: CheckinStamp | null;
    replayed?: boolean;
    offline?: boolean;
  },
  messages: CheckinMessages,
): CheckinResult {
  const { code } = args;
  // A ticket that is not recognised shows nothing about anyone.
  const attendee = code === "unknown_ticket" ? null : args.attendee;
  const checkin = code === "ok" || code === "already_checked_in" ? args.checkin : null;
  let message: string;
  if (code === "ok") message = `${args.listName}の受付をしました。`;
  else if (code === "already_checked_in")
    message = checkin ? `${messages.already_checked_in}${describeStamp(checkin)}` : messages[code];
  else if (code === "not_registered_for_session") message = `${messages[code]}(${args.listName})`;
  else message = messages[code];
  return {
    code,
    tone: TONES[code],
    title: TITLES[code],
    message,
    listId: args.listId,
    listName: args.listName,
    attendee,
    checkin,
    replayed: args.replayed ?? false,
    offline: args.offline ?? false,
  };
}

/** The full-screen answer: green, amber or red, readable at arm's length. */
export function CheckinResultScreen(props: {
  result: CheckinResult;
  onClose: () => void;
  onUndo?: (checkinId: string) => void;
  undoBusy?: boolean;
}) {
  const { result, onClose, onUndo } = props;
  const a = result.attendee;
  const checkinId = result.checkin?.id ?? null;
  return (
    <div
      className={`checkin-result checkin-result--${result.tone}`}
      role="alert"
      aria-labelledby="checkin-result-title"
      data-code={result.code}
    >
      <div className="checkin-result__body">
        <p className="checkin-result__title" id="checkin-result-title">
          <span aria-hidden="true" className="checkin-result__icon">
            {result.tone === "green" ? "✓" : result.tone === "amber" ? "!" : "×"}
          </span>
          {result.title}
        </p>
        {a ? (
          <div className="checkin-result__person">
            <p className="checkin-result__kana">{a.kana}</p>
            <p className="checkin-result__name">{a.name}</p>
            <dl className="checkin-result__facts">
              {a.union ? (
                <>
                  <dt>所属</dt>
                  <dd>{a.union}</dd>
                </>
              ) : null}
              {a.course ? (
                <>
                  <dt>コース・分科会</dt>
                  <dd>{a.course}</dd>
                </>
              ) : null}
              {a.ticketCode ? (
                <>
                  <dt>受付番号</dt>
                  <dd className="checkin-result__code">{a.ticketCode}</dd>
                </>
              ) : null}
            </dl>
            {a.dietary || a.accessibility ? (
              <ul className="checkin-result__needs" aria-label="配慮事項">
                {a.dietary ? <li>食事: {a.dietary}</li> : null}
                {a.accessibility ? <li>配慮: {a.accessibility}</li> : null}
              </ul>
            ) : null}
          </div>
        ) : null}
        <p className="checkin-result__message">{result.message}</p>
        {result.code === "unknown_ticket" ? (
          <p className="checkin-result__hint">
            券面の受付番号を入力するか、氏名・フリガナで検索してください。見つからない場合は本部受付へご案内ください。
          </p>
        ) : null}
        {result.offline ? (
          <p className="checkin-result__offline">
            オフラインで確認しました。通信が戻ると自動で送信します。
          </p>
        ) : null}
        <div className="checkin-result__actions">
          <button type="button" className="checkin-button checkin-button--light" onClick={onClose}>
            次の方へ
          </button>
          {onUndo && checkinId && !result.offline ? (
            <button
              type="button"
              className="checkin-button checkin-button--ghost"
              disabled={props.undoBusy}
              onClick={() => onUndo(checkinId)}
            >
              この受付を取り消す
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
