// A type only: nothing of the server module reaches the browser.
import type { EventMaterial } from "../domain/materials.server";
import { formatBytes } from "./group-meetings";

/**
 * An event's materials: title, type, size, and a link that opens each one
 * through /materials/:id, the route that checks who may see it.
 */
export function EventMaterials({
  materials,
  label,
}: {
  materials: EventMaterial[];
  label: string;
}) {
  if (materials.length === 0) return null;
  return (
    <ul className="materials" aria-label={label}>
      {materials.map((m) => (
        <li key={m.id}>
          <a
            href={`/materials/${m.id}`}
            target={m.kind === "file" ? undefined : "_blank"}
            rel="noreferrer"
          >
            {m.title}
          </a>{" "}
          <span className="small muted">
            {m.kind === "file" && m.sizeBytes !== null
              ? `(${m.typeLabel}・${formatBytes(m.sizeBytes)})`
              : `(${m.typeLabel})`}
          </span>
          {m.sessionTitle ? <span className="small muted">{` ${m.sessionTitle}`}</span> : null}
          {m.description ? <p className="small">{m.description}</p> : null}
        </li>
      ))}
    </ul>
  );
}
