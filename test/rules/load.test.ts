import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadRuleSet, parseRule } from '../../src/rules/load.js';

const base = {
  id: 'my-rule',
  title: 'T',
  severity: 'low',
  subject: 'user',
  description: 'd',
  rationale: 'r',
  remediation: 'm',
  references: ['SOC 2 CC6.2'],
  params: { maxDays: { type: 'integer', default: 5, description: 'limit' } },
  conditions: { all: [{ fact: 'daysSinceLastAuth', operator: 'greaterThan', value: { param: 'maxDays' } }] },
  message: '{{username}} {{daysSinceLastAuth}} > {{maxDays}}',
};
const src = (over: Record<string, unknown>, file = 'rules/my-rule.json') => ({
  file,
  text: JSON.stringify({ ...base, ...over }),
});
function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('rule loading', () => {
  it('accepts a valid rule', () => {
    expect(parseRule(src({})).id).toBe('my-rule');
  });

  it.each([
    [
      'unknown fact',
      { conditions: { all: [{ fact: 'daysSinceLastAuht', operator: 'equal', value: 1 }] } },
      '$.conditions.all[0].fact: unknown fact "daysSinceLastAuht"',
    ],
    [
      'a fact of another kind',
      { subject: 'team' },
      '$.conditions.all[0].fact: unknown fact "daysSinceLastAuth"',
    ],
    [
      'a JSONPath',
      { conditions: { all: [{ fact: 'orgRoles', operator: 'contains', value: 'X', path: '$[0]' }] } },
      '$.conditions.all[0].path',
    ],
    [
      'unknown param',
      { conditions: { any: [{ fact: 'teamCount', operator: 'lessThan', value: { param: 'nope' } }] } },
      '$.conditions.any[0].value.param: unknown param "nope"',
    ],
    [
      'numeric operator on a boolean',
      { conditions: { all: [{ fact: 'isActive', operator: 'greaterThan', value: 1 }] } },
      'needs a number fact',
    ],
    [
      'wrong value type',
      { conditions: { all: [{ fact: 'isActive', operator: 'equal', value: 'true' }] } },
      'fact "isActive" is boolean; value is string',
    ],
    [
      'null against a non-null fact',
      { conditions: { all: [{ fact: 'teamCount', operator: 'equal', value: null }] } },
      'is never null',
    ],
    [
      'contains on a scalar',
      { conditions: { all: [{ fact: 'username', operator: 'contains', value: 'a' }] } },
      'needs a list fact',
    ],
    [
      'unknown operator',
      { conditions: { all: [{ fact: 'teamCount', operator: 'bigger', value: 1 }] } },
      '$.conditions',
    ],
    [
      'param default of the wrong type',
      { params: { maxDays: { type: 'integer', default: 'x', description: 'd' } } },
      '$.params.maxDays.default: expected an integer',
    ],
    ['placeholder naming nothing', { message: 'hi {{nobody}}' }, '$.message: placeholder {{nobody}}'],
    ['bad severity', { severity: 'urgent' }, '$.severity'],
    ['unknown top-level field', { extra: 1 }, 'extra'],
    ['unknown evidence fact', { evidence: ['nope'] }, '$.evidence[0]'],
  ])('rejects %s with the file and JSON path', (_name, over, expected) => {
    const msg = problem(() => parseRule(src(over)));
    expect(msg).toContain('rules/my-rule.json: ');
    expect(msg).toContain(expected);
  });

  it('requires the id to match the file name', () => {
    expect(problem(() => parseRule(src({}, 'rules/other.json')))).toContain(
      '$.id: rule id "my-rule" must match the file name',
    );
  });

  it('rejects invalid JSON naming the file', () => {
    expect(problem(() => parseRule({ file: 'rules/my-rule.json', text: '{ nope' }))).toContain(
      'rules/my-rule.json: not valid JSON',
    );
  });

  it('rejects duplicate ids and an empty folder; sorts by id', () => {
    expect(problem(() => loadRuleSet('d', [src({}, 'a/my-rule.json'), src({}, 'b/my-rule.json')]))).toContain(
      'duplicate rule id',
    );
    expect(problem(() => loadRuleSet('d', []))).toContain('no rule files');
    const set = loadRuleSet('d', [src({ id: 'zz' }, 'zz.json'), src({ id: 'aa' }, 'aa.json')]);
    expect(set.rules.map((r) => r.id)).toEqual(['aa', 'zz']);
  });
});
