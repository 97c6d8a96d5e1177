import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseJsonOrYaml, parseJsonPath, withLocation } from '../../src/util/json-or-yaml.js';
import { formatJsonPath } from '../../src/util/validate.js';

describe('parseJsonPath', () => {
  it.each([
    [['waivers', 0, 'expiresOn']],
    [['rules', 'stale-last-auth', 'params', 'maxDays']],
    [['a "quoted" key', 12, 'with]bracket', 'x.y']],
    [[]],
  ])('reads back what formatJsonPath writes: %j', (keys) => {
    expect(parseJsonPath(formatJsonPath(keys))).toEqual(keys);
  });
  it.each(['waivers[0]', '$.', '$[x]', '$["open', '$[1'])('refuses %s', (path) => {
    expect(parseJsonPath(path)).toBeNull();
  });
});

describe('parseJsonOrYaml', () => {
  const yaml = 'waivers:\n  - ruleId: a\n    expiresOn: soon\n  - ruleId: b\n';
  it('locates a path in a YAML file, or its nearest ancestor when the key is missing', () => {
    const input = parseJsonOrYaml(yaml, 'w.yaml');
    expect(input.locate('$.waivers[0].expiresOn')).toEqual({ line: 3, col: 16 });
    expect(input.locate('$.waivers[1].expiresOn')).toEqual({ line: 4, col: 5 });
    expect(input.locate('$')).toEqual({ line: 1, col: 1 });
  });
  it('adds the line to an InputError about the same file, and leaves other errors alone', () => {
    const input = parseJsonOrYaml(yaml, 'w.yaml');
    const fail = (error: Error) => () =>
      withLocation(input, 'w.yaml', () => {
        throw error;
      });
    expect(fail(new InputError('w.yaml', '$.waivers[0].expiresOn', 'not a date'))).toThrow(
      'w.yaml: $.waivers[0].expiresOn: not a date (line 3, column 16)',
    );
    expect(fail(new InputError('other.yaml', '$.waivers[0].expiresOn', 'x'))).toThrow(/: x$/);
    expect(fail(new Error('boom'))).toThrow(/^boom$/);
  });
  it('JSON files have no YAML locations; their syntax errors name line and column', () => {
    expect(parseJsonOrYaml('{"a": 1}', 'p.json').locate('$.a')).toBeNull();
    expect(() => parseJsonOrYaml('{\n"a": 1,\n}', 'p.json')).toThrow(/\(line 3, column 1\)$/);
  });
  it('a __proto__ key in YAML is refused with its line', () => {
    expect(() => parseJsonOrYaml('rules:\n  __proto__: {}\n', 'p.yaml')).toThrow(
      /p\.yaml: \$\.rules\.__proto__: .*\(line 2, column 14\)/,
    );
  });
});
