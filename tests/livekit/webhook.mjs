// Builds and signs a LiveKit webhook exactly as a LiveKit server does, with LiveKit's own
// server SDK: reads {"event": <WebhookEvent as protobuf JSON>, "apiKey", "apiSecret",
// "ttl"?} on standard input; prints {"body", "authorization"}.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { AccessToken, WebhookEvent } from 'livekit-server-sdk';

const input = JSON.parse(readFileSync(0, 'utf8'));
const body = WebhookEvent.fromJson(input.event).toJsonString();
const token = new AccessToken(input.apiKey, input.apiSecret, { ttl: input.ttl ?? '5m' });
token.sha256 = createHash('sha256').update(body).digest('base64');
process.stdout.write(JSON.stringify({ body, authorization: await token.toJwt() }));
