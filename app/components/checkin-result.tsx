import { useCallback, useEffect, useRef } from "react";
import type { CheckinResult } from "../checkin/result";

/**
 * The full-screen answer: green, amber or red, read from a metre away. It
 * stays until the next scan or 「次の方へ」 (a person still reading their
 * needs is not cut off). A modal <dialog>: the browser puts it above
 * everything and makes the rest of the page inert, so nothing hidden takes
 * focus; focus is on 「次の方へ」 and Escape closes it. A USB reader typing
 * the next ticket is handed to the ticket field by `onTypeAhead`.
 */
export function CheckinResultScreen(props: {
  result: CheckinResult;
  /** the event's word for a course: 分科会, コース or チーム */
  courseWord: string;
  onClose: () => void;
  onUndo?: (checkinId: string) => void;
  undoBusy?: boolean;
  /** a printable key pressed while the answer shows: the next ticket being typed or read */
  onTypeAhead?: (key: string) => void;
}) {
  const { result, onClose, onUndo, onTypeAhead } = props;
  const a = result.attendee;
  const checkinId = result.checkin?.id ?? null;
  const next = useRef<HTMLButtonElement>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  // Each new answer takes focus, so a screen reader reads it and Enter or Space goes on.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new result is the trigger
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    next.current?.focus({ preventScroll: true });
  }, [result]);

  // Closed here first, so the page is no longer inert when the desk takes focus back.
  const close = useCallback(() => {
    dialog.current?.close();
    onClose();
  }, [onClose]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (
        onTypeAhead &&
        event.key.length === 1 &&
        event.key !== " " &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.altKey
      ) {
        event.preventDefault();
        dialog.current?.close();
        onTypeAhead(event.key);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [close, onTypeAhead]);

  return (
    <dialog
      ref={dialog}
      className={`checkin-result checkin-result--${result.tone}`}
      role="alertdialog"
      aria-labelledby="checkin-result-title"
      aria-describedby="checkin-result-message"
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
                <div className="checkin-result__row">
                  <dt>所属</dt>
                  <dd>{a.union}</dd>
                </div>
              ) : null}
              {a.course ? (
                <div className="checkin-result__row">
                  <dt>{props.courseWord}</dt>
                  <dd>{a.course}</dd>
                </div>
              ) : null}
              {a.ticketCode ? (
                <div className="checkin-result__row">
                  <dt>受付番号</dt>
                  <dd className="checkin-result__code">{a.ticketCode}</dd>
                </div>
              ) : null}
            </dl>
            {a.dietary || a.accessibility ? (
              <dl className="checkin-result__needs" aria-label="配慮事項">
                {a.dietary ? (
                  <div className="checkin-result__row">
                    <dt>食事の配慮</dt>
                    <dd>{a.dietary}</dd>
                  </div>
                ) : null}
                {a.accessibility ? (
                  <div className="checkin-result__row">
                    <dt>その他の配慮</dt>
                    <dd>{a.accessibility}</dd>
                  </div>
                ) : null}
              </dl>
            ) : null}
          </div>
        ) : null}
        <p className="checkin-result__message" id="checkin-result-message">
          {result.message}
        </p>
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
          <button
            ref={next}
            type="button"
            className="checkin-button checkin-button--light"
            onClick={close}
          >
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
    </dialog>
  );
}
