/**
 * keepalived's line syntax (src/config/keepalived/lexer.ts, preprocess.ts, argv.ts, glob.ts):
 * comments, quotes, braces, conditional lines, parameters, script words and include patterns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scriptCommand, splitWords } from '../../../../src/config/keepalived/argv.js';
import { expandBraces, hasWildcard } from '../../../../src/config/keepalived/glob.js';
import { decomment, KeepalivedSyntaxError, tokenize } from '../../../../src/config/keepalived/lexer.js';
import { preprocess, type Preprocessor } from '../../../../src/config/keepalived/preprocess.js';

const AT = { file: 'k.conf', line: 7 };
const words = (text: string) => tokenize(text, AT).map((t) => t.text);

describe('decomment', () => {
  it("'#' and '!' start a comment anywhere outside double quotes, and blanks around are dropped", () => {
    assert.equal(decomment('  priority 100   # the master').text, 'priority 100');
    assert.equal(decomment('priority 100 ! bang').text, 'priority 100');
    assert.equal(decomment('! Configuration File for keepalived').text, '');
    assert.equal(decomment('script "grep -c # not a comment"  # one').text, 'script "grep -c # not a comment"');
    assert.equal(decomment('  router_id x').indent, 2);
  });

  it('a backslash makes # and ! plain outside quotes, and protects the next character inside them', () => {
    assert.equal(decomment('auth_pass a\\#b').text, 'auth_pass a#b');
    assert.equal(decomment('script "a \\" # still quoted"').text, 'script "a \\" # still quoted"');
  });

  it("single quotes do not protect a comment character (keepalived tracks only '\"')", () => {
    assert.equal(decomment("script 'a # b'").text, "script 'a");
  });

  it('reports an open double quote and a trailing backslash', () => {
    assert.equal(decomment('script "never closed').openQuote, true);
    assert.equal(decomment('$X=1 \\').continued, true);
  });
});

describe('tokenize', () => {
  it('splits at blanks; quotes group and are removed, also in the middle of a word', () => {
    assert.deepEqual(words('script "/usr/bin/pgrep -x haproxy"'), ['script', '/usr/bin/pgrep -x haproxy']);
    assert.deepEqual(words("notify 'a b'c\"d e\""), ['notify', 'a bcd e']);
    assert.deepEqual(words('a\t\tb'), ['a', 'b']);
  });

  it('an unquoted { or } is a word of its own wherever it stands; a quoted one is text', () => {
    assert.deepEqual(words('vrrp_instance VI_1{'), ['vrrp_instance', 'VI_1', '{']);
    assert.deepEqual(words('virtual_ipaddress { 192.0.2.1 }'), ['virtual_ipaddress', '{', '192.0.2.1', '}']);
    const quoted = tokenize('x "{"', AT);
    assert.deepEqual(quoted.map((t) => [t.text, t.quoted]), [['x', false], ['{', true]]);
  });

  it('keeps each word\'s file, line and column', () => {
    const t = tokenize('priority 100', AT, 5);
    assert.deepEqual(t.map((x) => [x.file, x.line, x.col]), [['k.conf', 7, 5], ['k.conf', 7, 14]]);
  });

  it('keeps a backslash and the character after it (keepalived splits scripts later, with escapes)', () => {
    assert.deepEqual(words('script "a \\" b"'), ['script', 'a \\" b']);
  });

  it('an unterminated single quote is an error at its column', () => {
    assert.throws(() => tokenize("notify 'oops", AT), (e: unknown) => e instanceof KeepalivedSyntaxError && e.at.line === 7 && e.at.col === 8 && /unterminated single quote/.test(e.message));
  });
});

describe('preprocess: conditional lines and parameters', () => {
  const pre = (configId?: string): Preprocessor => ({ configId, params: new Map() });
  const run = (text: string, p: Preprocessor, continued = false) => preprocess(text, 0, { file: 'k.conf', line: 3 }, '/etc/keepalived', p, continued);

  it('@ID keeps the line for that config id only; @^ID for every other one', () => {
    assert.deepEqual(run('@main priority 200', pre('main')), { kind: 'line', text: 'priority 200', indent: 6 });
    assert.deepEqual(run('@main priority 200', pre('backup')), { kind: 'skip' });
    assert.deepEqual(run('@^main nopreempt', pre('main')), { kind: 'skip' });
    assert.deepEqual(run('@^main nopreempt', pre('backup')).kind, 'line');
    // No config id: keepalived matches no @ID and every @^ID.
    assert.deepEqual(run('@main x', pre()), { kind: 'skip' });
    assert.equal(run('@^main x', pre()).kind, 'line');
  });

  it('$NAME=VALUE defines; $NAME before a blank or the end and ${NAME} anywhere are replaced, recursively; undefined names stay', () => {
    const p = pre('n1');
    assert.deepEqual(run('$BASE=192.0.2.${SUB}', p), { kind: 'skip' });
    run('$SUB=7', p);
    run('$IF=eth0', p);
    assert.deepEqual(run('${BASE}/24 dev $IF', p), { kind: 'line', text: '192.0.2.7/24 dev eth0', indent: 0 });
    assert.equal((run('label $IF:1', p) as { text: string }).text, 'label $IF:1', '$IF followed by ":" is not a parameter reference');
    assert.equal((run('x ${UNDEFINED} $NOPE', p) as { text: string }).text, 'x ${UNDEFINED} $NOPE');
    assert.equal((run('f ${_PWD}/x ${_INSTANCE} ${_HASH}', p) as { text: string }).text, 'f /etc/keepalived/x n1 #');
  });

  it('a definition that refers to itself, a multi-line definition and ~SEQ are errors at their line', () => {
    const p = pre();
    run('$LOOP=a ${LOOP}', p);
    assert.throws(() => run('${LOOP}', p), /does not end/);
    assert.throws(() => run('$MULTI= ', pre(), true), (e: unknown) => e instanceof KeepalivedSyntaxError && e.at.line === 3 && /multi-line parameter definition/.test(e.message));
    assert.throws(() => run('~SEQ(N, 1, 3) priority $N', pre()), /~SEQ blocks are not supported/);
  });
});

describe('script words (argv.ts)', () => {
  it("splits as keepalived does: blanks separate, '...' and \"...\" keep a word, backslash escapes", () => {
    assert.deepEqual(splitWords("/usr/bin/check 'two words' \"x y\" a\\ b \\x41"), { ok: true, words: ['/usr/bin/check', 'two words', 'x y', 'a b', 'A'] });
    assert.deepEqual(splitWords("it's"), { ok: false, reason: 'a single quote is not closed' });
  });

  it('a plain script is argv; shell syntax outside quotes, or a leading redirection, is /bin/sh -c and says why', () => {
    assert.deepEqual(scriptCommand('killall -0 haproxy'), { ok: true, argv: ['killall', '-0', 'haproxy'], shell: false });
    assert.deepEqual(scriptCommand("grep -q 'a|b' /etc/x"), { ok: true, argv: ['grep', '-q', 'a|b', '/etc/x'], shell: false });
    const or = scriptCommand('pidof haproxy || exit 1');
    assert.ok(or.ok && or.shell);
    assert.deepEqual(or.argv, ['/bin/sh', '-c', 'pidof haproxy || exit 1']);
    assert.match(or.why, /"\|\|".*keepalived 1\.x.*keepalived ≥ 2/);
    const redirect = scriptCommand('</dev/tcp/127.0.0.1/80');
    assert.ok(redirect.ok && redirect.shell && /redirection/.test(redirect.why));
    assert.equal(scriptCommand('ls /tmp/*.pid').ok && (scriptCommand('ls /tmp/*.pid') as { shell: boolean }).shell, false, 'keepalived ≥ 2 passes a glob as it is');
  });
});

describe('include patterns (glob.ts)', () => {
  it('expands csh braces in order, nested, and leaves text without a comma alone', () => {
    assert.deepEqual(expandBraces('conf.d/{b,a}.conf'), ['conf.d/b.conf', 'conf.d/a.conf']);
    assert.deepEqual(expandBraces('{x/{,cat,dog},bar}'), ['x/', 'x/cat', 'x/dog', 'bar']);
    assert.deepEqual(expandBraces('a{b}c'), ['a{b}c']);
    assert.throws(() => expandBraces('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'), /more than 256/);
  });

  it('knows a wildcard', () => {
    assert.equal(hasWildcard('conf.d/*.conf'), true);
    assert.equal(hasWildcard('conf.d/[ab].conf'), true);
    assert.equal(hasWildcard('conf.d/a.conf'), false);
  });
});
