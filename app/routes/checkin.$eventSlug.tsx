import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CheckinDesk } from "../components/checkin-desk";
import { CHECKIN_MESSAGES, getCheckinDesk, requireCheckinAccess } from "../domain/checkin.server";
import type { ManifestHandle } from "../root";

/** The reception desk of one event: scan, search, count; works offline. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireCheckinAccess(request, context, params.eventSlug, { explain: true });
  const desk = await getCheckinDesk(context.db, { eventId: access.eventId });
  return {
    ...desk,
    messages: CHECKIN_MESSAGES,
    staffName: `${access.user.family_name} ${access.user.given_name}`.trim(),
    canUndo: access.canManage,
    narrowed: access.unionId !== null,
  };
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: "/checkin/checkin.css" }];

/** Added to a tablet's home screen, the desk opens on this event's page (app/root.tsx). */
export const handle: ManifestHandle = {
  manifest: (params) => `/checkin/${params.eventSlug}/manifest.webmanifest`,
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `受付 | ${data.event.title} | 自治研イベント` : "受付 | 自治研イベント" },
];

export default function CheckinPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <CheckinDesk
      slug={data.event.slug}
      eventTitle={data.event.title}
      courseWord={data.event.courseWord}
      lists={data.lists}
      messages={data.messages}
      staffName={data.staffName}
      canUndo={data.canUndo}
      narrowed={data.narrowed}
    />
  );
}
