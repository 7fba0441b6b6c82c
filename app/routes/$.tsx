import { notFound } from "../utils/action.server";
/** Any URL no route matches: a real 404, rendered by the root error boundary in Japanese. */
export function loader() {
  notFound();
}

export default function NotFound() {
  return null;
}
