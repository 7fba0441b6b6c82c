import { REGISTRATION_STATUS_LABELS } from "../utils/labels";

type Filter = {
  status?: string | null;
  session?: number | null;
  course?: number | null;
  union?: number | null;
};

/**
 * The status, session, course and union selects the attendee list and the
 * export page share (a secretary, `narrowed` to their union, gets no union
 * select). Each offers "すべて" first; sessions and courses only when the event
 * has any.
 */
export function AttendeeFilterSelects({
  filter,
  options,
  narrowed,
}: {
  filter: Filter;
  options: {
    sessions: { id: number; title: string }[];
    courses: { id: number; label: string }[];
    unions: { id: number; name: string }[];
  };
  narrowed: boolean;
}) {
  return (
    <>
      <label>
        状態
        <select name="status" defaultValue={filter.status ?? ""}>
          <option value="">すべて</option>
          {Object.entries(REGISTRATION_STATUS_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {options.sessions.length > 0 ? (
        <label>
          日程・企画
          <select name="session" defaultValue={filter.session ?? ""}>
            <option value="">すべて</option>
            {options.sessions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {options.courses.length > 0 ? (
        <label>
          コース・分科会
          <select name="course" defaultValue={filter.course ?? ""}>
            <option value="">すべて</option>
            {options.courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {narrowed ? null : (
        <label>
          単組
          <select name="union" defaultValue={filter.union ?? ""}>
            <option value="">すべて</option>
            {options.unions.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
