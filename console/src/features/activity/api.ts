// The activity trail's calls: a page at a time, newest first, optionally of some kinds only.
import { type Api, call } from '../../api/client';
import type { Activity, ActivityKind } from '../../lib/activity';

export const ACTIVITY_PAGE_SIZE = 20;

export interface ActivityPage {
  activity: Activity[];
  nextPageToken: string | null;
}

/** A page of a recording's trail; `kinds` null for every kind. */
export async function fetchRecordingActivity(
  api: Api,
  recordingId: string,
  kinds: ActivityKind[] | null,
  token: string | null,
): Promise<ActivityPage> {
  const page = await call(
    api.GET('/api/v1/recordings/{recordingId}/activity', {
      params: {
        path: { recordingId },
        query: {
          maxItems: ACTIVITY_PAGE_SIZE,
          ...(kinds ? { kind: kinds } : {}),
          ...(token ? { nextPageToken: token } : {}),
        },
      },
    }),
  );
  return { activity: page.activity, nextPageToken: page.pagination.nextPageToken ?? null };
}

/** Appends a page, keeping each entry once (in the order first seen). */
export function mergeActivity(existing: Activity[], next: Activity[]): Activity[] {
  const seen = new Set(existing.map((a) => a.activityId));
  return [...existing, ...next.filter((a) => !seen.has(a.activityId) && seen.add(a.activityId))];
}
