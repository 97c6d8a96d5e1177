/** SARIF identity across runs: the location and the category must not change with the file name. */
import { describe, expect, it } from 'vitest';
import { sarifArtifactUri, sarifAutomationId } from '../../src/report/renderers/sarif.js';

const A = '5f1a2b3c4d5e6f7a8b9c0d1e';
const B = '5f1a2b3c4d5e6f7a8b9c0d1f';
const C = '5f1a2b3c4d5e6f7a8b9c0d20';
const D = '5f1a2b3c4d5e6f7a8b9c0d21';

describe('SARIF automationDetails.id and locations', () => {
  it('names up to three orgs, sorted, whatever their order; the run part is the collection time', () => {
    expect(sarifAutomationId([B, A], '2026-11-25T03:00:00Z')).toBe(
      `atlas-access-review/${A}+${B}/2026-11-25T03:00:00Z`,
    );
    expect(sarifAutomationId([A, B, A], 'x')).toBe(sarifAutomationId([B, A], 'x'));
  });

  it('summarises more orgs by count and a hash of the sorted ids: same set, same category', () => {
    const id = sarifAutomationId([D, C, B, A], 't');
    expect(id).toMatch(/^atlas-access-review\/4-orgs-[0-9a-f]{16}\/t$/);
    expect(sarifAutomationId([A, B, C, D], 't')).toBe(id);
    expect(sarifAutomationId([A, B, C], 't')).not.toBe(id);
    // The category (everything before the last "/") stays when only the run changes.
    const category = (s: string) => s.slice(0, s.lastIndexOf('/'));
    expect(category(sarifAutomationId([A, B, C, D], 'next quarter'))).toBe(category(id));
  });

  it('locates results at a fixed path per organization', () => {
    expect(sarifArtifactUri(A)).toBe(`atlas-access-review/orgs/${A}`);
  });
});
