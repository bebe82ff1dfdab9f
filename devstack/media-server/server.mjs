// A local stand-in for LiveKit's Egress service, for development only: it answers
// StartRoomCompositeEgress and StopEgress over Twirp as livekit-server does and sends the
// egress webhooks LiveKit would, but records nothing: on stop it uploads a fixed MP4 to the
// bucket and key the start request asked for. See README.md.
import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AccessToken,
  EgressInfo,
  EgressStatus,
  RoomCompositeEgressRequest,
  TokenVerifier,
  WebhookEvent,
} from 'livekit-server-sdk';

function env(name, fallback) {
  const value = process.env[name] || fallback;
  if (value === undefined) {
    console.error(`media-server: missing environment variable ${name}`);
    process.exit(1);
  }
  return value;
}

const listenUrl = new URL(env('LIVEKIT_URL'));
const apiKey = env('LIVEKIT_API_KEY');
const apiSecret = env('LIVEKIT_API_SECRET');
const webhookUrl = env('LIVEKIT_WEBHOOK_URL');
const videoPath = env(
  'MEDIA_SERVER_VIDEO',
  fileURLToPath(new URL('../../infra/demo/demo-2.mp4', import.meta.url)),
);
const activeAfterMs = Number(env('MEDIA_SERVER_UPDATE_MS', '1000'));
if (listenUrl.protocol !== 'http:' || !(activeAfterMs >= 0)) {
  console.error('media-server: LIVEKIT_URL must be http://host:port, MEDIA_SERVER_UPDATE_MS a number of ms');
  process.exit(1);
}

const TWIRP_PREFIX = '/twirp/livekit.Egress/';
const WEBHOOK_ATTEMPTS = 5;
// Twirp's error codes and the HTTP statuses Twirp gives them.
const HTTP_STATUS = {
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  bad_route: 404,
  not_found: 404,
  failed_precondition: 412,
  internal: 500,
};

class TwirpError extends Error {
  constructor(code, msg, meta) {
    super(msg);
    this.code = code;
    this.meta = meta;
  }
}

/** The MP4's duration in nanoseconds, from the movie header (`moov` > `mvhd`). */
function mp4DurationNs(mp4) {
  const box = (type, start, end) => {
    for (let at = start; at + 8 <= end; ) {
      let size = mp4.readUInt32BE(at);
      let header = 8;
      if (size === 1) [size, header] = [Number(mp4.readBigUInt64BE(at + 8)), 16];
      else if (size === 0) size = end - at; // the box runs to the end of its parent
      if (size < header || at + size > end) break;
      if (mp4.toString('latin1', at + 4, at + 8) === type) return [at + header, at + size];
      at += size;
    }
    throw new Error(`${videoPath}: no ${type} box; is it an MP4?`);
  };
  const [mvhd] = box('mvhd', ...box('moov', 0, mp4.length));
  // Version 1 widens the times and duration to 64 bits.
  const v1 = mp4[mvhd] === 1;
  const timescale = BigInt(mp4.readUInt32BE(mvhd + (v1 ? 20 : 12)));
  const duration = v1 ? mp4.readBigUInt64BE(mvhd + 24) : BigInt(mp4.readUInt32BE(mvhd + 16));
  if (timescale === 0n) throw new Error(`${videoPath}: mvhd timescale is 0`);
  return (duration * 1_000_000_000n) / timescale;
}

const video = readFileSync(videoPath);
const videoDurationNs = mp4DurationNs(video);
const verifier = new TokenVerifier(apiKey, apiSecret);
/** Egress id -> { info (EgressInfo fields), upload, activation, webhooks }. */
const egresses = new Map();
/** Room name -> room sid, so that a room keeps one id like a live LiveKit room. */
const roomIds = new Map();

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const newId = (prefix) =>
  prefix + Array.from({ length: 12 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Reads the token as livekit-server's auth middleware does: no token is let through, and
 * the method then finds no grant; a bad one is refused at once. */
async function claimsOf(authorization) {
  if (!authorization) return undefined;
  if (!authorization.startsWith('Bearer ')) {
    throw new TwirpError('unauthenticated', 'invalid authorization header. Must start with Bearer ');
  }
  try {
    return await verifier.verify(authorization.slice('Bearer '.length));
  } catch {
    throw new TwirpError('unauthenticated', 'invalid authorization token');
  }
}

// LiveKit checks only the roomRecord grant, and answers its absence with 401. Holding the
// token to one room is this stand-in's own, stricter check: the backend grants no more.
function requireRoom(claims, room) {
  if (claims.video.room !== room) {
    throw new TwirpError('permission_denied', `the token does not grant room "${room}"`);
  }
}

function startRoomComposite(body, claims) {
  let request;
  try {
    request = RoomCompositeEgressRequest.fromJson(body, { ignoreUnknownFields: true });
  } catch {
    throw new TwirpError('malformed', 'the json request could not be decoded');
  }
  requireRoom(claims, request.roomName);
  const output = request.fileOutputs[0];
  if (!request.roomName || !output?.filepath || output.output.case !== 's3') {
    throw new TwirpError('invalid_argument', 'this stand-in needs a roomName and a file output with a filepath and an s3 upload');
  }
  const roomId = roomIds.get(request.roomName) ?? newId('RM_');
  roomIds.set(request.roomName, roomId);
  const egress = {
    info: {
      egressId: newId('EG_'),
      roomId,
      roomName: request.roomName,
      status: EgressStatus.EGRESS_STARTING,
      updatedAt: nowNs(),
      request: { case: 'roomComposite', value: request },
    },
    upload: { key: output.filepath, s3: output.output.value },
    webhooks: Promise.resolve(),
  };
  egresses.set(egress.info.egressId, egress);
  notify(egress, 'egress_started');
  egress.activation = setTimeout(() => {
    const now = nowNs();
    Object.assign(egress.info, { status: EgressStatus.EGRESS_ACTIVE, startedAt: now, updatedAt: now });
    notify(egress, 'egress_updated');
  }, activeAfterMs);
  return egress.info;
}

function stopEgress(body, claims) {
  const egressId = body?.egressId ?? body?.egress_id;
  if (typeof egressId !== 'string') throw new TwirpError('malformed', 'the json request could not be decoded');
  const egress = egresses.get(egressId);
  if (!egress) throw new TwirpError('not_found', `egress ${egressId} does not exist`);
  const { info } = egress;
  requireRoom(claims, info.roomName);
  if (info.status !== EgressStatus.EGRESS_STARTING && info.status !== EgressStatus.EGRESS_ACTIVE) {
    throw new TwirpError('failed_precondition', `egress with status ${EgressStatus[info.status]} cannot be stopped`);
  }
  clearTimeout(egress.activation);
  const now = nowNs();
  // Stopped before it became active: it counts as started now.
  Object.assign(info, { status: EgressStatus.EGRESS_ENDING, startedAt: info.startedAt || now, updatedAt: now });
  notify(egress, 'egress_updated');
  void finish(egress);
  return info;
}

/** Uploads the video where the egress was asked to write, then reports how it ended. */
async function finish(egress) {
  const { info, upload: { key, s3 } } = egress;
  const client = new S3Client({
    region: s3.region || undefined,
    endpoint: s3.endpoint || undefined,
    forcePathStyle: s3.forcePathStyle,
  });
  let result;
  try {
    await client.send(new PutObjectCommand({
      Bucket: s3.bucket,
      Key: key,
      Body: video,
      ContentType: 'video/mp4',
      ContentDisposition: 'inline', // LiveKit's egress default
    }));
    const endedAt = nowNs();
    result = {
      status: EgressStatus.EGRESS_COMPLETE,
      endedAt,
      fileResults: [{
        filename: key,
        startedAt: info.startedAt,
        endedAt,
        duration: videoDurationNs,
        size: BigInt(video.length),
        // As LiveKit's egress reports it, whatever the endpoint.
        location: `https://${s3.bucket}.s3.amazonaws.com/${key}`,
      }],
    };
    console.log(`upload s3://${s3.bucket}/${key} ${video.length} bytes`);
  } catch (err) {
    result = { status: EgressStatus.EGRESS_FAILED, endedAt: nowNs(), error: `S3 upload failed: ${err.message}` };
    console.log(`upload s3://${s3.bucket}/${key} failed: ${err.message}`);
  } finally {
    client.destroy();
  }
  Object.assign(info, result, { updatedAt: result.endedAt });
  notify(egress, 'egress_ended');
}

/** Queues a webhook with the egress as it is now; an egress's webhooks go out in order,
 * as LiveKit queues them per egress. */
function notify(egress, event) {
  const webhook = new WebhookEvent({
    egressInfo: new EgressInfo(egress.info),
    id: newId('EV_'),
    createdAt: BigInt(Math.floor(Date.now() / 1000)),
  });
  webhook.event = event; // set apart: the SDK's WebhookEvent constructor blanks `event`
  const body = webhook.toJsonString();
  egress.webhooks = egress.webhooks.then(() => deliver(event, body));
}

/** Posts a webhook signed as LiveKit signs them, retrying while the receiver is down or
 * failing, as LiveKit's retrying HTTP client does. */
async function deliver(event, body) {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  const headers = { Authorization: await token.toJwt(), 'Content-Type': 'application/webhook+json' };
  const path = new URL(webhookUrl).pathname;
  for (let attempt = 1; ; attempt++) {
    let outcome;
    try {
      const response = await fetch(webhookUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      outcome = response.status;
    } catch (err) {
      outcome = err.cause?.code ?? err.name;
    }
    console.log(`webhook POST ${path} ${event} ${outcome}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    if (typeof outcome === 'number' && outcome < 500) return;
    if (attempt === WEBHOOK_ATTEMPTS) {
      console.log(`webhook ${event} dropped after ${attempt} attempts`);
      return;
    }
    await delay(500 * 2 ** (attempt - 1));
  }
}

const METHODS = { StartRoomCompositeEgress: startRoomComposite, StopEgress: stopEgress };

/** Answers as livekit-server does, checks in its order: token, route, body, grant. */
async function route(req, path) {
  if (!path.startsWith(TWIRP_PREFIX)) {
    // livekit-server's health check is GET /; it knows no other path outside Twirp.
    return path === '/' ? [200, 'text/plain', 'OK'] : [404, 'text/plain', '404 page not found\n'];
  }
  const claims = await claimsOf(req.headers.authorization);
  const method = METHODS[path.slice(TWIRP_PREFIX.length)];
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const badRoute = (msg) => new TwirpError('bad_route', msg, { twirp_invalid_route: `${req.method} ${path}` });
  if (req.method !== 'POST') throw badRoute(`unsupported method "${req.method}" (only POST is allowed)`);
  if (!method) throw badRoute(`no handler for path "${path}"`);
  if (contentType !== 'application/json') throw badRoute(`unexpected Content-Type: "${req.headers['content-type'] ?? ''}"`);
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new TwirpError('malformed', 'the json request could not be decoded');
  }
  if (!claims?.video?.roomRecord) throw new TwirpError('unauthenticated', 'permissions denied');
  const info = new EgressInfo(method(body, claims));
  // Twirp's JSON: proto field names, every field written, as livekit-server answers.
  return [200, 'application/json', info.toJsonString({ useProtoFieldName: true, emitDefaultValues: true })];
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  let status, type, body;
  try {
    [status, type, body] = await route(req, path);
  } catch (err) {
    const twirp = err instanceof TwirpError ? err : new TwirpError('internal', err.message);
    if (!(err instanceof TwirpError)) console.error(`media-server: ${err.stack}`);
    [status, type] = [HTTP_STATUS[twirp.code], 'application/json'];
    body = JSON.stringify({ code: twirp.code, msg: twirp.message, ...(twirp.meta && { meta: twirp.meta }) });
  }
  res.writeHead(status, { 'Content-Type': type }).end(body);
  console.log(`${req.method} ${path} ${status}`);
});

const host = listenUrl.hostname.replace(/^\[(.*)\]$/, '$1');
server.listen(Number(listenUrl.port || 80), host, () => {
  console.log(
    `media-server: egress on ${listenUrl.origin}, webhooks to ${webhookUrl}, ` +
      `video ${videoPath} (${video.length} bytes, ${Number(videoDurationNs) / 1e9} s)`,
  );
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    console.log(`media-server: ${signal}, stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
