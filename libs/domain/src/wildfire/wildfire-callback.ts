import { ExactJsonSyntaxError, parseExactJson } from './exact-json';
import { FieldReader, isJsonObject, WildfireRecordProblem } from './field-reader';
import { normaliseWildfireCommission } from './wildfire-commission';
import { Cleanings, readMetadataText } from './wildfire-metadata';
import { WildfireCallbackResult, WildfireInvalid, WildfireNormaliseContext } from './wildfire-types';

/** `fatal`: a body that is not UTF-8 is refused rather than decoded with replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One Wildfire callback body (the exact bytes received; the signature is checked elsewhere, over
 * the same bytes) as a commission observation. Envelope: `ID`, `Type`, `Action`, `Payload`,
 * `CreatedDate`, names in any letter case. `Action` (create | update) is not needed: an update is
 * simply a newer version of the same commission id, ordered by ModifiedDate.
 */
export function normaliseWildfireCallback(rawBody: Buffer, context: WildfireNormaliseContext): WildfireCallbackResult {
  const document = parseBody(rawBody);
  if ('kind' in document) return document;
  try {
    return normaliseEnvelope(new FieldReader(document.envelope, ''), context);
  } catch (error) {
    if (error instanceof WildfireRecordProblem) return error.invalid;
    throw error;
  }
}

function parseBody(rawBody: Buffer): { envelope: Record<string, unknown> } | WildfireInvalid {
  const text = decodeUtf8(rawBody);
  if (text === null) return malformed('the callback body is not valid UTF-8');
  let parsed: unknown;
  try {
    parsed = parseExactJson(text);
  } catch (error) {
    if (error instanceof ExactJsonSyntaxError) return malformed(`the callback body is not valid JSON: ${error.message}`);
    throw error;
  }
  return isJsonObject(parsed) ? { envelope: parsed } : malformed('the callback body is JSON but not an object');
}

function decodeUtf8(rawBody: Buffer): string | null {
  try {
    return utf8.decode(rawBody);
  } catch {
    return null;
  }
}

function malformed(message: string): WildfireInvalid {
  return { kind: 'invalid', code: 'malformed-json', message };
}

function normaliseEnvelope(envelope: FieldReader, context: WildfireNormaliseContext): WildfireCallbackResult {
  const callbackType = envelope.requiredText('Type');
  const envelopeCleanings = new Cleanings();
  // The callback's own id names the delivery, not the money: cleaned like any metadata, never a reason to refuse.
  const callbackId = readMetadataText(envelope, 'ID', envelopeCleanings);
  if (callbackType.toLowerCase() !== 'commission') return { kind: 'not-a-commission', callbackId, callbackType };
  const payload = envelope.requiredValue('Payload');
  const result = normaliseWildfireCommission(payload, { ...context, channel: 'callback', deliveryId: callbackId });
  if (result.kind === 'invalid') return result;
  return { kind: 'commission', callbackId, apiVersion: result.apiVersion, observation: result.observation, cleanings: [...envelopeCleanings.list, ...result.cleanings] };
}
