import { Link } from "@remix-run/react";
import { formatRange } from "../utils/format";
import { EVENT_KIND_LABELS } from "../utils/labels";
import type { EventKind } from "../../db/schema";
import { SeatsLeft } from "./seats-left";

export type EventCardData = {
  slug: string;
  kind: EventKind;
  title: string;
  summary: string;
  starts_at: string;
  ends_at: string;
  status: string;
  members_only: boolean;
  max_age: number | null;
  seats_left: number | null;
  venue_name: string | null;
  online_label: string;
  finished: boolean;
  registration: RegistrationState;
};

type RegistrationState = "open" | "closing" | "full" | "upcoming" | "closed" | null;

/** The registration badge (catalogueBadge in events.server.ts): words and colour. */
const REGISTRATION_BADGES: Record<
  Exclude<RegistrationState, null>,
  { label: string; tone: string }
> = {
  open: { label: "受付中", tone: "badge--ok" },
  closing: { label: "締切間近", tone: "badge--warn" },
  full: { label: "満席", tone: "badge--danger" },
  upcoming: { label: "受付前", tone: "badge--done" },
  closed: { label: "受付終了", tone: "badge--done" },
};

export function EventCard({ event }: { event: EventCardData }) {
  return (
    <Link to={`/events/${event.slug}`} className="card event-card">
      <div className="badges">
        {event.registration ? (
          <span className={`badge ${REGISTRATION_BADGES[event.registration].tone}`}>
            {REGISTRATION_BADGES[event.registration].label}
          </span>
        ) : null}
        <span className="badge">{EVENT_KIND_LABELS[event.kind]}</span>
        {event.finished ? <span className="badge badge--done">終了</span> : null}
        {event.status === "cancelled" ? <span className="badge badge--danger">中止</span> : null}
        {event.members_only ? <span className="badge">組合員限定</span> : null}
        {event.max_age ? <span className="badge badge--warn">{event.max_age}歳以下</span> : null}
      </div>
      <h3>{event.title}</h3>
      <p>{formatRange(event.starts_at, event.ends_at)}</p>
      <p>{event.venue_name ?? event.online_label}</p>
      {!event.finished && event.seats_left !== null ? (
        <p>
          <SeatsLeft left={event.seats_left} />
        </p>
      ) : null}
    </Link>
  );
}
