/** Any URL no route matches: a real 404, rendered by the root error boundary in Japanese. */
export function loader() {
  throw new Response("Not Found", { status: 404 });
}

export default function NotFound() {
  return null;
}
