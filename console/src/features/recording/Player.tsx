// The video, from a presigned S3 URL (`/media?redirect=false`: a <video> cannot send the
// token along a redirect). S3 serves byte ranges, so seeking works. The URL lives a few
// minutes: when it has expired (a play after a long pause, or a failed range request), a
// fresh one is fetched and playback resumes where it was.
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../../api/client';
import { ErrorPanel } from '../../components/bits';
import { useApp } from '../../context';

/** Refresh this long before the URL's expiry, so a range request never meets an expired URL. */
const MARGIN_MS = 15_000;

export function Player({ recordingId, title }: { recordingId: string; title: string }) {
  const { api } = useApp();
  const video = useRef<HTMLVideoElement>(null);
  const media = useRef<{ url: string; expiresAt: number } | null>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refreshing = useRef(false);

  const fetchUrl = async () =>
    call(
      api.GET('/api/v1/recordings/{recordingId}/media', {
        params: { path: { recordingId }, query: { redirect: false } },
      }),
    );

  const load = async () => {
    setError(null);
    try {
      media.current = await fetchUrl();
      setSrc(media.current.url);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
  }, [recordingId]);

  /** A fresh URL, keeping the position and whether it was playing. */
  const renew = async (play: boolean) => {
    const el = video.current;
    if (!el || refreshing.current) return;
    refreshing.current = true;
    const at = el.currentTime;
    try {
      media.current = await fetchUrl();
      el.src = media.current.url;
      el.currentTime = at;
      if (play) await el.play().catch(() => undefined);
    } catch (e) {
      setError(e);
    } finally {
      refreshing.current = false;
    }
  };

  const expired = () => !media.current || media.current.expiresAt - MARGIN_MS <= Date.now();

  if (error) return <ErrorPanel title="The video cannot be played" error={error} onRetry={load} />;
  return (
    <div class="player">
      {src ? (
        // biome-ignore lint/a11y/useMediaCaption: meeting recordings have no caption track
        <video
          ref={video}
          src={src}
          controls
          preload="metadata"
          playsInline
          aria-label={`Video: ${title}`}
          onPlay={() => {
            if (expired()) renew(true);
          }}
          onSeeking={() => {
            if (expired()) renew(!video.current?.paused);
          }}
          onError={() => renew(!video.current?.paused)}
        />
      ) : (
        <div class="player-placeholder" aria-hidden="true" />
      )}
    </div>
  );
}
