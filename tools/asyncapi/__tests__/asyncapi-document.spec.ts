import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { topicSettings } from '@earnings/contracts';
import { documentedTopics } from '../asyncapi-document';
import { asyncApiDocumentPath, renderAsyncApiDocument } from '../generate';

/** DiagnosticSeverity.Error in @stoplight/types, which the parser reports with. */
const errorSeverity = 0;

describe('the AsyncAPI document', () => {
  it('is what libs/contracts generates today (run `npm run build && node dist/tools/asyncapi/generate.js` after changing a contract)', () => {
    expect(readFileSync(asyncApiDocumentPath(), 'utf8')).toBe(renderAsyncApiDocument());
  });

  it('describes every topic the setup step creates, and no other', () => {
    expect([...documentedTopics()].sort()).toEqual(topicSettings(1).map((setting) => setting.name).sort());
  });

  it('is a valid AsyncAPI 3.0 document for the official parser, with every message schema resolved', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(asyncApiDocumentPath(), 'utf8'));
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === errorSeverity).map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const channel = document?.channels().all().find((candidate) => candidate.address() === 'earnings.payout-lifecycle.v1');
    expect(channel?.messages().all().map((message) => message.name()).sort()).toEqual(['PayoutRequested', 'PayoutReturned', 'PayoutSubmitted']);
    const balanceChanged = document?.allMessages().all().find((message) => message.name() === 'BalanceChanged');
    expect(balanceChanged?.payload()?.required()).toContain('sequence');
    expect(balanceChanged?.headers()?.properties()?.ce_type?.const()).toBe('dev.earnings-ledger.BalanceChanged.v1');
  });
});
