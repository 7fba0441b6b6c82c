import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import {
  type CheckinMessages,
  type CheckinResult,
  type CheckinTone,
  describeStamp,
} from "../checkin/result";
import {
  decideOffline,
  findInRoster,
  indexRoster,
  type QueuedScan,
  type Roster,
  type RosterEntry,
  type RosterIndex,
  rosterCount,
  searchRoster,
} from "../checkin/roster";
import { loadQueue, loadStoredRoster, newNonce, saveQueue, storeRoster } from "../checkin/storage";
import { useFeedback, useQrCamera } from "./checkin-camera";
import { CheckinResultScreen } from "./checkin-result";
import { formatTime } from "../utils/format";

/**
 * The reception desk: pick a list, scan (camera, USB reader or a typed code),
 * or search a name, and see a full-screen green / amber / red answer. Works
 * offline against a roster kept on the device, queueing check-ins with a
 * nonce and the time they were made, and sends them when the network is back.
 */

export type DeskList = { id: number; name: string; sessionId: number | null };

type Counts = Record<number, { checkedIn: number; expected: number }>;

type ApiAnswer<T> =
  | { ok: true; data: T }
  | { ok: false; offline: true }
  | { ok: false; offline: false; status: number; error: string; message: string };

const DEBOUNCE_MS = 4000;
const COUNTS_EVERY_MS = 5000;
const ROSTER_EVERY_MS = 60_000;
const API_PATH = /^\/checkin\/[^/]+\/(scan|sync|undo|counts|roster)$/;

export function CheckinDesk(props: {
  slug: string;
  eventTitle: string;
  /** the event's word for a course (courseWord in app/utils/labels.ts) */
  courseWord: string;
  lists: DeskList[];
  messages: CheckinMessages;
  staffName: string;
  canUndo: boolean;
  narrowed: boolean;
}) {
  const { slug, lists, messages, staffName } = props;
  const firstList = lists[0]?.id ?? 0;
  const [listId, setListId] = useState(firstList);
  const [desk, setDesk] = useState("受付");
  const [online, setOnline] = useState(true);
  const [queue, setQueue] = useState<QueuedScan[]>([]);
  const [roster, setRoster] = useState<Roster | null>(null);
  const [counts, setCounts] = useState<Counts>({});
  const [result, setResult] = useState<CheckinResult | null>(null);
  const [notice, setNotice] = useState<{ tone: CheckinTone; text: string } | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const [busy, setBusy] = useState(false);
  const [undoBusy, setUndoBusy] = useState(false);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<RosterEntry[]>([]);
  const [ready, setReady] = useState(false);

  // Refs mirror state for callbacks that outlive a render (timers, camera).
  const listRef = useRef(listId);
  const deskRef = useRef(desk);
  const onlineRef = useRef(online);
  const queueRef = useRef<QueuedScan[]>([]);
  const rosterRef = useRef<Roster | null>(null);
  const indexRef = useRef<RosterIndex | null>(null);
  const busyRef = useRef(false);
  const resultOpen = useRef(false);
  const lastScan = useRef<{ value: string; at: number }>({ value: "", at: 0 });
  const syncing = useRef(false);
  const ticketInput = useRef<HTMLInputElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const feedback = useFeedback();
  listRef.current = listId;
  deskRef.current = desk;
  resultOpen.current = result !== null;
  onlineRef.current = online;

  const currentList = lists.find((l) => l.id === listId) ?? lists[0];

  const api = useCallback(
    async <T,>(path: string, body?: unknown): Promise<ApiAnswer<T>> => {
      const controller = new AbortController();
      const timeout = setTimeout(() => controller.abort(), 8000);
      let response: Response;
      try {
        response = await fetch(`/checkin/${encodeURIComponent(slug)}/${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: "same-origin",
          signal: controller.signal,
        });
      } catch {
        return { ok: false, offline: true };
      } finally {
        clearTimeout(timeout);
      }
      // A server or database in trouble is treated like no network: the desk
      // goes on from its roster, and the nonce makes the later sync safe.
      if (response.status >= 500) return { ok: false, offline: true };
      const isJson = response.headers.get("Content-Type")?.includes("application/json");
      if (!isJson) {
        const expired = response.redirected || response.status === 401;
        return {
          ok: false,
          offline: false,
          status: response.status,
          error: expired ? "login_required" : "error",
          message: expired
            ? "ログインの有効期限が切れました。ページを再読み込みしてログインしてください。"
            : "処理できませんでした。ページを再読み込みしてください。",
        };
      }
      const data = (await response.json()) as T & { error?: { code?: string; message?: string } };
      // a refusal has the one JSON error shape, { error: { code, message, field? } }
      if (!response.ok)
        return {
          ok: false,
          offline: false,
          status: response.status,
          error: data.error?.code ?? "error",
          message: data.error?.message ?? "処理できませんでした。",
        };
      return { ok: true, data };
    },
    [slug],
  );

  const setQueueBoth = useCallback(
    (next: QueuedScan[]) => {
      queueRef.current = next;
      setQueue(next);
      try {
        saveQueue(slug, next);
      } catch {
        setNotice({
          tone: "red",
          text: "端末の保存領域がいっぱいです。未送信の受付を保存できません。",
        });
      }
    },
    [slug],
  );

  const applyRoster = useCallback((next: Roster) => {
    rosterRef.current = next;
    indexRef.current = indexRoster(next);
    setRoster(next);
  }, []);

  const markOnline = useCallback((value: boolean) => {
    onlineRef.current = value;
    setOnline(value);
  }, []);

  const refreshCounts = useCallback(async () => {
    if (typeof navigator !== "undefined" && navigator.onLine === false) {
      markOnline(false);
      return false;
    }
    const answer = await api<{ lists: { id: number; checkedIn: number; expected: number }[] }>(
      "counts",
    );
    if (!answer.ok) {
      if (answer.offline) markOnline(false);
      return false;
    }
    markOnline(true);
    setCounts(Object.fromEntries(answer.data.lists.map((l) => [l.id, l])));
    return true;
  }, [api, markOnline]);

  const refreshRoster = useCallback(async () => {
    // The desk's name goes with it: the server records offline scans under it (not under what a sync says).
    const answer = await api<Roster>(`roster?desk=${encodeURIComponent(deskRef.current)}`);
    if (!answer.ok) {
      if (answer.offline) markOnline(false);
      return;
    }
    applyRoster(answer.data);
    await storeRoster(slug, answer.data);
  }, [api, markOnline, slug, applyRoster]);

  /** Sends the offline queue, one batch per desk name; what was answered leaves the queue. */
  const sync = useCallback(async () => {
    if (syncing.current || queueRef.current.length === 0) return;
    syncing.current = true;
    try {
      const desks = [...new Set(queueRef.current.map((q) => q.desk))];
      let sent = 0;
      const lost: string[] = [];
      for (const name of desks) {
        const batch = queueRef.current.filter((q) => q.desk === name);
        const answer = await api<{
          results: { nonce: string; result?: CheckinResult; error?: string; message?: string }[];
        }>("sync", {
          desk: name,
          scans: batch.map(({ nonce, list, registration, ticketHash, clientTime }) => ({
            nonce,
            list,
            registration,
            ticketHash,
            clientTime,
          })),
        });
        if (!answer.ok) {
          if (answer.offline) markOnline(false);
          else
            setNotice({
              tone: "red",
              text: `未送信の受付を送信できませんでした: ${answer.message}`,
            });
          return;
        }
        const answered = new Set(answer.data.results.map((r) => r.nonce));
        for (const r of answer.data.results) {
          const scan = batch.find((q) => q.nonce === r.nonce);
          if (r.result?.code === "already_checked_in" && r.result.checkin && scan) {
            lost.push(`${scan.name}(既に受付済み、${describeStamp(r.result.checkin)})`);
          } else if (r.result && r.result.code !== "ok" && scan) {
            lost.push(`${scan.name}(${r.result.title})`);
          } else if (r.error && scan) {
            lost.push(`${scan.name}(${r.message ?? r.error})`);
          }
        }
        sent += answered.size;
        // The new numbers first, so the counter does not dip while the queue empties.
        await refreshCounts();
        setQueueBoth(queueRef.current.filter((q) => !answered.has(q.nonce)));
      }
      markOnline(true);
      setNotice(
        lost.length > 0
          ? {
              tone: "amber",
              text: `オフライン中の受付${sent}件を送信しました。うち${lost.length}件は受付になりませんでした: ${lost.join("、")}`,
            }
          : { tone: "green", text: `オフライン中の受付${sent}件を送信しました。` },
      );
      await refreshRoster();
    } finally {
      syncing.current = false;
    }
  }, [api, markOnline, refreshCounts, refreshRoster, setQueueBoth]);

  const cameraOnRef = useRef(cameraOn);
  cameraOnRef.current = cameraOn;
  const refocus = useCallback(() => {
    // While an answer shows, focus belongs to it (its 「次の方へ」).
    if (resultOpen.current) return;
    const active = document.activeElement;
    if (active && active !== document.body && active !== ticketInput.current) {
      const tag = active.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    }
    if (!cameraOnRef.current) ticketInput.current?.focus({ preventScroll: true });
  }, []);

  const show = useCallback(
    (next: CheckinResult) => {
      // It stays until the next scan or 「次の方へ」: no timer closes it under someone still reading.
      resultOpen.current = true;
      setResult(next);
      setNotice(null);
      feedback(next.tone);
      // Keep the roster in step, so an offline scan later knows about it.
      const entry = next.attendee
        ? indexRef.current?.byId.get(next.attendee.registrationId)
        : undefined;
      if (entry && next.checkin && (next.code === "ok" || next.code === "already_checked_in")) {
        entry.checkins[String(next.listId)] = next.checkin;
      }
    },
    [feedback],
  );

  /** One scan: to the server when online, else decided on the device and queued. */
  const submitScan = useCallback(
    async (scan: { ticket?: string; registration?: string }) => {
      const list = lists.find((l) => l.id === listRef.current);
      if (!list || busyRef.current) return;
      busyRef.current = true;
      setBusy(true);
      const nonce = newNonce();
      const clientTime = new Date().toISOString();
      try {
        if (onlineRef.current) {
          const answer = await api<{ result: CheckinResult }>("scan", {
            list: list.id,
            ...scan,
            desk: deskRef.current,
            nonce,
          });
          if (answer.ok) {
            show(answer.data.result);
            void refreshCounts();
            return;
          }
          if (!answer.offline) {
            setNotice({ tone: "red", text: answer.message });
            feedback("red");
            return;
          }
          markOnline(false);
        }
        const index = indexRef.current;
        if (!index) {
          setNotice({
            tone: "red",
            text: "名簿を取得できていないため、オフラインでは確認できません。通信が戻ってから読み取ってください。",
          });
          feedback("red");
          return;
        }
        const entry = findInRoster(index, scan);
        const decided = decideOffline({
          entry,
          list,
          queue: queueRef.current,
          stamp: { id: null, at: clientTime, desk: deskRef.current, staffName },
          messages,
        });
        if (decided.code === "ok" && entry) {
          // The same nonce as the attempt above: if that did reach the server, the replay is harmless.
          setQueueBoth([
            ...queueRef.current,
            {
              nonce,
              list: list.id,
              registration: entry.id,
              // An old ticket of a registration made again since is refused at sync.
              ticketHash: scan.ticket ? entry.h : undefined,
              clientTime,
              desk: deskRef.current,
              name: entry.attendee.name,
            },
          ]);
        }
        show(decided);
      } finally {
        busyRef.current = false;
        setBusy(false);
        refocus();
      }
    },
    [
      api,
      feedback,
      lists,
      markOnline,
      messages,
      refocus,
      refreshCounts,
      setQueueBoth,
      show,
      staffName,
    ],
  );

  const onCode = useCallback(
    (value: string) => {
      const now = Date.now();
      // The same QR held in front of the camera is read on every frame: once is
      // enough, while its answer is on screen and until it has been out of view
      // for a few seconds.
      if (
        value === lastScan.current.value &&
        (resultOpen.current || now - lastScan.current.at < DEBOUNCE_MS)
      ) {
        lastScan.current.at = now;
        return;
      }
      if (busyRef.current) return;
      lastScan.current = { value, at: now };
      void submitScan({ ticket: value });
    },
    [submitScan],
  );

  const camera = useQrCamera({ active: cameraOn, videoRef, onCode });

  // Restore what this device remembers, then go online.
  useEffect(() => {
    const storedList = Number(localStorage.getItem(`jichiken-checkin:list:${slug}`));
    if (lists.some((l) => l.id === storedList)) setListId(storedList);
    const storedDesk = localStorage.getItem("jichiken-checkin:desk");
    if (storedDesk) setDesk(storedDesk);
    if (localStorage.getItem("jichiken-checkin:camera") === "on") setCameraOn(true);
    setQueueBoth(loadQueue(slug));
    markOnline(navigator.onLine);
    let cancelled = false;
    (async () => {
      const stored = await loadStoredRoster(slug);
      if (stored && !cancelled && !rosterRef.current) applyRoster(stored);
      if (await refreshCounts()) {
        await refreshRoster();
        await sync();
      }
      if (!cancelled) setReady(true);
    })();
    if (window.matchMedia?.("(pointer: fine)").matches) ticketInput.current?.focus();
    return () => {
      cancelled = true;
    };
  }, [slug, lists, markOnline, refreshCounts, refreshRoster, setQueueBoth, sync, applyRoster]);

  // The network comes and goes: poll the counters, send the queue when it is back.
  useEffect(() => {
    const goOffline = () => markOnline(false);
    const goOnline = () => {
      void refreshCounts().then((ok) => (ok ? sync() : undefined));
    };
    window.addEventListener("offline", goOffline);
    window.addEventListener("online", goOnline);
    const counts = setInterval(() => {
      if (document.visibilityState === "hidden") return;
      void refreshCounts().then((ok) => (ok && queueRef.current.length > 0 ? sync() : undefined));
    }, COUNTS_EVERY_MS);
    const rosterTimer = setInterval(() => {
      if (onlineRef.current && document.visibilityState !== "hidden") void refreshRoster();
    }, ROSTER_EVERY_MS);
    return () => {
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("online", goOnline);
      clearInterval(counts);
      clearInterval(rosterTimer);
    };
  }, [markOnline, refreshCounts, refreshRoster, sync]);

  // The service worker keeps this page, its scripts and the decoders for offline use.
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker
      .register("/checkin/sw.js", { scope: "/checkin/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const urls = new Set<string>([
          location.pathname,
          "/checkin/checkin.css",
          "/checkin/vendor/barcode-detector.js",
          "/checkin/vendor/zxing_reader.wasm",
          "/checkin/vendor/jsqr.js",
        ]);
        for (const entry of performance.getEntriesByType("resource")) {
          const url = new URL(entry.name);
          if (url.origin !== location.origin || API_PATH.test(url.pathname)) continue;
          if (url.pathname.startsWith("/build/") || url.pathname.startsWith("/checkin/"))
            urls.add(url.pathname);
        }
        registration.active?.postMessage({ type: "precache", urls: [...urls] });
      })
      .catch(() => {
        // no service worker (private mode, plain http): the page still works online
      });
  }, []);

  // Manual search over the roster: name, kana (either script) or ticket code.
  useEffect(() => {
    const r = roster;
    const index = indexRef.current;
    if (!r || !index || query.trim().length === 0) {
      setFound([]);
      return;
    }
    setFound(searchRoster(r, index, query));
  }, [query, roster]);

  /** Closes the answer; the effect below gives the desk its focus back. */
  const dismiss = useCallback(() => {
    resultOpen.current = false;
    setResult(null);
  }, []);

  // Once the answer has gone: the ticket field, unless the camera is reading.
  const hadResult = useRef(false);
  useEffect(() => {
    if (result) hadResult.current = true;
    else if (hadResult.current) {
      hadResult.current = false;
      refocus();
    }
  }, [result, refocus]);

  /** A USB reader (or a hand) typing the next ticket over an answer: it goes to the ticket field. */
  const typeAhead = useCallback(
    (key: string) => {
      dismiss();
      const input = ticketInput.current;
      if (!input) return;
      input.focus({ preventScroll: true });
      input.value += key;
    },
    [dismiss],
  );

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = ticketInput.current;
    const value = input?.value.trim() ?? "";
    if (!input) return;
    if (value.length === 0) {
      setNotice({ tone: "red", text: "QRコードを読み取るか、受付番号を入力してください。" });
      return;
    }
    input.value = "";
    void submitScan({ ticket: value });
  };

  const undo = async (checkinId: string) => {
    setUndoBusy(true);
    const answer = await api<{ undone: boolean; registrationId: string; listId: number }>("undo", {
      checkin: checkinId,
    });
    setUndoBusy(false);
    if (!answer.ok) {
      setNotice({
        tone: "red",
        text: answer.offline ? "オフラインのため取り消せません。" : answer.message,
      });
      return;
    }
    const entry = indexRef.current?.byId.get(answer.data.registrationId);
    if (entry) delete entry.checkins[String(answer.data.listId)];
    dismiss();
    setNotice({ tone: "amber", text: "受付を取り消しました(記録に残ります)。" });
    void refreshCounts();
  };

  // Online: the server's numbers (plus anything not yet sent); offline: the roster's.
  const pendingHere = queue.filter((q) => q.list === listId).length;
  const serverCount = counts[listId];
  const count =
    online && serverCount
      ? { checkedIn: serverCount.checkedIn + pendingHere, expected: serverCount.expected }
      : roster && currentList
        ? rosterCount(roster, currentList, queue)
        : serverCount
          ? { checkedIn: serverCount.checkedIn + pendingHere, expected: serverCount.expected }
          : null;

  return (
    <>
      <div className="checkin" data-ready={ready ? "true" : undefined}>
        <div className="checkin-top">
          <h1 className="checkin-top__title">{props.eventTitle}</h1>
          <p
            className={`checkin-status checkin-status--${online ? "online" : "offline"}`}
            role="status"
            data-testid="checkin-status"
          >
            {online ? "通信: 接続中" : "通信: オフライン"}
            {queue.length > 0 ? `・未送信 ${queue.length}件` : ""}
          </p>
        </div>
        {!online ? (
          <p className="checkin-offline-banner">
            オフラインです。名簿で確認して受付し、通信が戻ると自動で送信します。
            {queue.length > 0 ? `(送信待ち ${queue.length}件)` : ""}
          </p>
        ) : null}

        <label className="checkin-field">
          <span className="checkin-field__label">受付リスト</span>
          <select
            value={listId}
            onChange={(e) => {
              const next = Number(e.target.value);
              setListId(next);
              localStorage.setItem(`jichiken-checkin:list:${slug}`, String(next));
            }}
          >
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>

        <p className="checkin-counter" aria-live="polite">
          <span className="checkin-counter__label">{currentList?.name} 受付済み</span>
          <span className="checkin-counter__numbers">
            <strong data-testid="checkin-count">{count ? count.checkedIn : "–"}</strong>
            <span> / {count ? count.expected : "–"}名</span>
          </span>
          {props.narrowed ? <span className="checkin-counter__note">所属単組の方のみ</span> : null}
        </p>

        <section className="checkin-camera" aria-label="カメラで読み取る">
          <div className={`checkin-camera__view${cameraOn ? " is-on" : ""}`}>
            <video ref={videoRef} playsInline muted aria-label="カメラの映像" />
            {cameraOn ? <span className="checkin-camera__frame" aria-hidden="true" /> : null}
            {!cameraOn ? (
              <p className="checkin-camera__hint">QRコードをカメラにかざして受付します</p>
            ) : null}
          </div>
          <button
            type="button"
            className={`checkin-button ${cameraOn ? "checkin-button--secondary" : "checkin-button--primary"}`}
            onClick={() => {
              const next = !cameraOn;
              setCameraOn(next);
              localStorage.setItem("jichiken-checkin:camera", next ? "on" : "off");
            }}
          >
            {cameraOn ? "カメラを止める" : "カメラで読み取る"}
          </button>
          {camera.error ? (
            <p className="checkin-error" role="alert">
              {camera.error}
            </p>
          ) : cameraOn && camera.decoder ? (
            <p className="checkin-muted" data-decoder={camera.decoder}>
              読み取り中です。QRコードを枠に合わせてください。
            </p>
          ) : null}
        </section>

        <form className="checkin-entry" onSubmit={onSubmit} noValidate>
          <label htmlFor="checkin-ticket" className="checkin-field__label">
            QRリーダー・受付番号
          </label>
          <div className="checkin-entry__row">
            <input
              ref={ticketInput}
              id="checkin-ticket"
              name="ticket"
              type="text"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              enterKeyHint="go"
              placeholder="例: K7MX-3QPA-W9"
              aria-describedby="checkin-ticket-hint"
            />
            <button
              type="submit"
              className="checkin-button checkin-button--primary"
              disabled={busy}
            >
              確認
            </button>
          </div>
          <p id="checkin-ticket-hint" className="checkin-muted">
            USBリーダーはこの欄を選んだまま読み取ってください。
          </p>
        </form>

        <section className="checkin-search" aria-label="氏名で探す">
          <label htmlFor="checkin-search" className="checkin-field__label">
            氏名・フリガナ・受付番号で探す
          </label>
          <input
            id="checkin-search"
            type="search"
            value={query}
            autoComplete="off"
            placeholder="例: さとう / サトウ / 佐藤"
            onChange={(e) => setQuery(e.target.value)}
          />
          {query.trim() && !roster ? (
            <p className="checkin-muted">名簿を読み込み中です…</p>
          ) : query.trim() && found.length === 0 ? (
            <p className="checkin-muted">該当する方が見つかりません。</p>
          ) : null}
          {found.length > 0 ? (
            <ul className="checkin-found">
              {found.map((e) => {
                const done = e.checkins[String(listId)] ?? null;
                return (
                  <li key={e.id}>
                    <div>
                      <span className="checkin-found__kana">{e.attendee.kana}</span>
                      <span className="checkin-found__name">{e.attendee.name}</span>
                      <span className="checkin-found__meta">
                        {e.attendee.union}
                        {e.status !== "confirmed"
                          ? `・${e.status === "waitlisted" ? "キャンセル待ち" : "キャンセル済み"}`
                          : ""}
                        {done ? `・${formatTime(done.at)} 受付済み` : ""}
                      </span>
                    </div>
                    <button
                      type="button"
                      className="checkin-button checkin-button--primary"
                      disabled={busy}
                      onClick={() => {
                        setQuery("");
                        void submitScan({ registration: e.id });
                      }}
                    >
                      受付
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
        </section>

        <details className="checkin-settings">
          <summary>受付の設定・状態</summary>
          <label className="checkin-field">
            <span className="checkin-field__label">受付名(記録に残ります)</span>
            <input
              type="text"
              value={desk}
              maxLength={40}
              onChange={(e) => {
                setDesk(e.target.value);
                localStorage.setItem("jichiken-checkin:desk", e.target.value);
              }}
            />
          </label>
          <p className="checkin-muted">担当: {staffName}</p>
          <p className="checkin-muted">
            名簿:{" "}
            {roster
              ? `${roster.entries.length}名(${formatTime(roster.generatedAt)} 取得)`
              : "未取得"}
          </p>
          <p className="checkin-muted">送信待ち: {queue.length}件</p>
          {queue.length > 0 ? (
            <button
              type="button"
              className="checkin-button checkin-button--secondary"
              onClick={() => void sync()}
              disabled={!online}
            >
              今すぐ送信
            </button>
          ) : null}
        </details>

        {notice ? (
          <p className={`checkin-notice checkin-notice--${notice.tone}`} role="alert">
            {notice.text}
          </p>
        ) : null}
      </div>
      {result ? (
        <CheckinResultScreen
          result={result}
          courseWord={props.courseWord}
          onClose={dismiss}
          onUndo={props.canUndo ? undo : undefined}
          undoBusy={undoBusy}
          onTypeAhead={typeAhead}
        />
      ) : null}
    </>
  );
}
