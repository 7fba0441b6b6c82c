import { Form, Link } from "@remix-run/react";
import { formatRange } from "../utils/format";
import {
  groupTitle,
  type PLACE_KIND_LABELS,
  placeText,
  RSVP_LABELS,
  type RsvpAnswer,
} from "../utils/working-groups";
import { describedBy, Field } from "./field";

/** Words and small pieces shared by the 専門部会, materials and reports pages. */

const RSVP_ORDER: RsvpAnswer[] = ["yes", "no", "maybe"];

export const VISIBILITY_LABELS = {
  public: "どなたでも",
  members: "組合員(ログインした方)",
  registrants: "イベントの参加申込者",
  roster: "専門部会の部会員",
} as const;

export const MATERIAL_KIND_LABELS = { file: "ファイル", link: "リンク", video: "動画" } as const;

/** 「1.2 MB」 */
export function formatBytes(size: number | null): string {
  if (size === null) return "";
  if (size < 1024 * 1024) return `${Math.max(1, Math.round(size / 1024))} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Three buttons, 出席 / 欠席 / 未定, the current one pressed. They post to
 * /groups/rsvp, which comes back to `redirectTo`.
 */
export function RsvpButtons(props: {
  meetingId: number;
  answer: RsvpAnswer | null;
  redirectTo: string;
  label: string;
}) {
  return (
    <Form method="post" action="/groups/rsvp" className="rsvp" aria-label={props.label}>
      <input type="hidden" name="meeting" value={props.meetingId} />
      <input type="hidden" name="redirectTo" value={props.redirectTo} />
      <RsvpChoices answer={props.answer} />
    </Form>
  );
}

/** The three submit buttons, 出席 / 欠席 / 未定, the current answer pressed. */
export function RsvpChoices({ answer: current }: { answer: RsvpAnswer | null }) {
  return RSVP_ORDER.map((answer) => (
    <button
      key={answer}
      type="submit"
      name="answer"
      value={answer}
      className={`rsvp__button rsvp__button--${answer}`}
      aria-pressed={current === answer}
    >
      {RSVP_LABELS[answer]}
    </button>
  ));
}

/** The head of a group's manager pages: the way back, the title and the tabs. */
export function GroupAdminHeader(props: {
  group: { id: number; name: string; theme: string; term: string };
  current: "meetings" | "attendance";
}) {
  const { group, current } = props;
  const tab = (name: typeof current) => (current === name ? "active" : undefined);
  return (
    <>
      <p className="small">
        <Link className="back-link" to="/admin/groups">
          ← 専門部会の管理
        </Link>
      </p>
      <h1>
        {group.term} {groupTitle(group)}
      </h1>
      <nav className="tabs" aria-label="専門部会の管理メニュー">
        <Link to={`/admin/groups/${group.id}`} className={tab("meetings")}>
          会合・部会員
        </Link>
        <Link to={`/admin/groups/${group.id}/attendance`} className={tab("attendance")}>
          出席状況
        </Link>
        <Link to={`/materials/new?target=group:${group.id}`}>資料を追加</Link>
        <Link to={`/groups/${group.id}`}>公開ページ</Link>
      </nav>
    </>
  );
}

type MyMeeting = {
  id: number;
  title: string;
  starts_at: string | Date;
  ends_at: string | Date | null;
  place_kind: keyof typeof PLACE_KIND_LABELS;
  place_name: string;
  online_url: string;
  answer: RsvpAnswer | null;
  groups: { id: number; name: string; number: number | null }[];
};

/** The /me section: the member's coming 専門部会 meetings and their answers. */
export function GroupMeetings({ meetings }: { meetings: MyMeeting[] }) {
  if (meetings.length === 0) return null;
  return (
    <section id="group-meetings" aria-labelledby="group-meetings-title">
      <h2 id="group-meetings-title">専門部会の会合(出欠)</h2>
      <div className="stack">
        {meetings.map((m) => (
          <article key={m.id} className="card meeting" id={`meeting-${m.id}`}>
            <h3>{m.title}</h3>
            <p className="small">{formatRange(m.starts_at, m.ends_at)}</p>
            <p className="small">
              {placeText(m)}
              {m.online_url ? (
                <>
                  {" "}
                  <a href={m.online_url} target="_blank" rel="noreferrer">
                    参加URL
                  </a>
                </>
              ) : null}
            </p>
            <p className="small muted">
              {m.groups.map((g, i) => (
                <span key={g.id}>
                  {i > 0 ? "・" : ""}
                  <Link to={`/groups/${g.id}`}>{g.name}</Link>
                  {g.number !== null ? ` 第${g.number}回` : ""}
                </span>
              ))}
            </p>
            <p className="small">
              あなたの回答: <strong>{m.answer ? RSVP_LABELS[m.answer] : "未回答"}</strong>
            </p>
            <RsvpButtons
              meetingId={m.id}
              answer={m.answer}
              redirectTo={`/me#meeting-${m.id}`}
              label={`${m.title}の出欠`}
            />
          </article>
        ))}
      </div>
    </section>
  );
}

/**
 * The fields of the meeting form (add and edit): date and time in Tokyo
 * time, an end date for a two-day 現地調査, and the place by kind.
 */
export function MeetingFields(props: {
  errors: Record<string, string>;
  value: (name: string, fallback?: string) => string;
}) {
  const { errors, value } = props;
  return (
    <>
      <Field
        id="meeting-title"
        label="会合名"
        hint="空欄なら「第1専門部会 第14回」のように付けます。合同会合では必須です。"
        error={errors.title}
      >
        <input
          type="text"
          name="title"
          {...describedBy("meeting-title", errors.title, "hint")}
          defaultValue={value("title")}
        />
      </Field>
      <div className="row-2">
        <Field id="meeting-date" label="開催日" required error={errors.date}>
          <input
            type="date"
            name="date"
            {...describedBy("meeting-date", errors.date)}
            defaultValue={value("date")}
          />
        </Field>
        <Field id="meeting-start" label="開始時刻" required error={errors.start}>
          <input
            type="time"
            name="start"
            {...describedBy("meeting-start", errors.start)}
            defaultValue={value("start")}
          />
        </Field>
      </div>
      <div className="row-2">
        <Field
          id="meeting-end-date"
          label="終了日"
          hint="2日間の現地調査など、開催日と違う場合だけ"
          error={errors.end_date}
        >
          <input
            type="date"
            name="end_date"
            {...describedBy("meeting-end-date", errors.end_date, "hint")}
            defaultValue={value("end_date")}
          />
        </Field>
        {/* The blank hint keeps this input level with the end date's. */}
        <Field id="meeting-end" label="終了時刻" hint={"\u00a0"} error={errors.end}>
          <input
            type="time"
            name="end"
            {...describedBy("meeting-end", errors.end)}
            defaultValue={value("end")}
          />
        </Field>
      </div>
      <fieldset>
        <legend>開催方法</legend>
        {(
          [
            ["room", "会議室など(県本部自治研室ほか)"],
            ["zoom", "ZOOM(オンライン)"],
            ["site", "現地調査"],
          ] as const
        ).map(([kind, label]) => (
          <label key={kind} className="choice">
            <input
              type="radio"
              name="place_kind"
              value={kind}
              defaultChecked={value("place_kind", "room") === kind}
            />
            <span>{label}</span>
          </label>
        ))}
        {errors.place_kind ? <p className="error">{errors.place_kind}</p> : null}
      </fieldset>
      <div className={`field${errors.place_name ? " field--error" : ""}`}>
        <label htmlFor="meeting-place">会場・調査先</label>
        <p className="hint">例: 県本部自治研室、飯舘村役場(ZOOMの場合は空欄で可)</p>
        <input
          type="text"
          id="meeting-place"
          name="place_name"
          defaultValue={value("place_name")}
        />
        {errors.place_name ? <p className="error">{errors.place_name}</p> : null}
      </div>
      <div className={`field${errors.online_url ? " field--error" : ""}`}>
        <label htmlFor="meeting-url">ZOOMのURL</label>
        <p className="hint">ZOOMの場合のみ。部会員だけに知らせます。</p>
        <input id="meeting-url" type="url" name="online_url" defaultValue={value("online_url")} />
        {errors.online_url ? <p className="error">{errors.online_url}</p> : null}
      </div>
      <Field id="meeting-note" label="備考" error={errors.note}>
        <input
          type="text"
          name="note"
          {...describedBy("meeting-note", errors.note)}
          defaultValue={value("note")}
        />
      </Field>
    </>
  );
}
