import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPickle, PyObject, UnsafePickleError } from '../../src/core/index.js';

/** Pickle bytes from latin-1 text pieces ("\x80\x04", "cos\nsystem\n") and byte arrays. */
function pickleBytes(...parts: Array<string | number[]>): Uint8Array {
  return Uint8Array.from(
    parts.flatMap(part => (typeof part === 'string' ? [...part].map(ch => ch.charCodeAt(0)) : part))
  );
}

/** Asserts the pickle is refused with an UnsafePickleError naming the file and `named`. */
function assertRefused(named: string, ...parts: Array<string | number[]>): void {
  assert.throws(
    () => loadPickle(pickleBytes(...parts), 'data/s1/t1/evil.pkl'),
    (error: unknown) =>
      error instanceof UnsafePickleError && error.path === 'data/s1/t1/evil.pkl' && error.message.includes(named),
    named
  );
}

const shortUnicode = (text: string) => `\x8c${String.fromCharCode(text.length)}${text}`;

test('refuses os.system built by hand in every protocol spelling', () => {
  assertRefused('os.system', "cos\nsystem\n(S'touch /tmp/pwned'\ntR.");
  assertRefused('posix.system', '\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R.');
  assertRefused(
    'os.system',
    '\x80\x04',
    shortUnicode('os'),
    shortUnicode('system'),
    '\x93',
    shortUnicode('true'),
    '\x85R.'
  );
  assertRefused('nt.system', '\x80\x02cnt\nsystem\n.'); // even when only named, never called
});

test('refuses builtins that run code, also under their Python 2 module name', () => {
  for (const name of ['eval', 'exec', 'compile', 'getattr', '__import__', 'open', 'breakpoint', 'input']) {
    assertRefused(`builtins.${name}`, `\x80\x04${shortUnicode('builtins')}${shortUnicode(name)}\x93)R.`);
  }
  assertRefused('builtins.eval', "c__builtin__\neval\n(S'1'\ntR.");
});

test('refuses subprocess, importlib and numpy.testing helpers', () => {
  assertRefused('subprocess.Popen', '\x80\x02csubprocess\nPopen\n.');
  assertRefused('subprocess.check_output', '\x80\x02csubprocess\ncheck_output\n.');
  assertRefused('importlib.import_module', '\x80\x02cimportlib\nimport_module\n.');
  assertRefused('numpy.testing._private.utils.runstring', '\x80\x02cnumpy.testing._private.utils\nrunstring\n.');
});

test('refuses to call a global outside the allow-list, whatever its module', () => {
  assertRefused('refuses to call mymod.helper', '\x80\x02cmymod\nhelper\n)R.');
  assertRefused('refuses to call mymod.helper', "(S'x'\nimymod\nhelper\n."); // INST
  assertRefused('refuses to call mymod.helper', '(cmymod\nhelper\nK\x01o.'); // OBJ
  assertRefused('refuses to call a value', '\x80\x02U\x01a)R.'); // REDUCE of a str
});

test('refuses a dangerous global nested deep inside data', () => {
  assertRefused('os.system', '\x80\x02}(U\x01a](K\x01cos\nsystem\neu.');
});

test('refuses persistent ids and the extension registry', () => {
  assertRefused('persistent ids', 'Pfile-1\n.');
  assertRefused('persistent ids', '\x80\x02U\x01xQ.');
  assertRefused('extension registry', '\x80\x02\x82\x01.');
});

test('keeps an instance of a harmless unknown class without running its code', () => {
  // copyreg._reconstructor(mymod.Thing, object, None), as protocol 0 spells instances.
  const thing = loadPickle(
    pickleBytes('ccopy_reg\n_reconstructor\n(cmymod\nThing\nc__builtin__\nobject\nNtR(dVx\nI1\nsb.'),
    'x.pkl'
  );
  assert.ok(thing instanceof PyObject);
  assert.equal(thing.__class__, 'mymod.Thing');
  assert.deepStrictEqual(thing.state, { x: 1 });
});
