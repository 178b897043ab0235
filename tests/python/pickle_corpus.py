"""Pickle interop fixtures for tests/interop/pickle.test.ts.

    pickle_corpus.py write DIR     writes CASES[name] as DIR/<name>.p<protocol>.pkl, protocols 0-5
    pickle_corpus.py check DIR     loads DIR/<name>.pkl (written by dumpPickle) and prints a JSON
                                   verdict {name: "ok" | what differs} against EXPECTED_FROM_JS
    pickle_corpus.py evil DIR CMD  writes DIR/evil.pkl whose __reduce__ is (os.system, (CMD,))
"""
import collections
import json
import math
import os
import pickle
import sys

import numpy as np


class Calibration:
    """A user class as AxoPy users pickle them: only instance attributes."""

    def __eq__(self, other):
        return type(other) is Calibration and same(self.__dict__, other.__dict__)


def calibration():
    cal = Calibration()
    cal.gain = 2.5
    cal.channels = [1, 2]
    return cal


def shared():
    inner = [1]
    return [inner, inner]


def cyclic():
    outer = []
    outer.append(outer)
    return outer


# Values both ways: Python writes them for loadPickle, and dumpPickle's output must load equal.
CASES = {
    'none': None,
    'true': True,
    'false': False,
    'zero': 0,
    'minus_one': -1,
    'two_pow_31': 2**31,
    'int64_max': 2**63 - 1,
    'two_pow_64': 2**64,
    'neg_two_pow_70': -2**70,
    'int_edges': [255, 256, 65535, 65536, -2**31, -2**31 - 1, 2**53, 2**53 + 1, -2**53, -2**53 - 1],
    'huge_int': 3**1400,
    'tenth': 0.1,
    'neg_zero': -0.0,
    'inf': float('inf'),
    'neg_inf': float('-inf'),
    'nan': float('nan'),
    'empty_str': '',
    'unicode': 'é€😀',
    'escapes': 'a\\b\nc\x00\r\x1a"\' \u20ac',
    'lone_surrogate': 'x\ud800y',
    'long_str': 'é' * 200,
    'bytes': b'\x00\xffab\n',
    'long_bytes': bytes(range(256)) * 2,
    'nested': [1, (2, 'a'), {'k': [None, (True,)]}, [], ()],
    'long_tuple': (1, 2, 3, 4, 5),
    'long_list': list(range(2500)),
    'int_keys': {1: 'a', 2: 'b'},
    'mixed_keys': {'a': 1, (1, 2): 't', None: 0},
    'proto_key': {'__proto__': 1, 'a': 2},
    'set': {1, 2, 3},
    'frozenset': frozenset(['a']),
    'complex': 1 + 2j,
    'float64_2d': np.arange(6, dtype=np.float64).reshape(2, 3) / 4,
    'int16_1d': np.array([-3, 0, 32767], dtype=np.int16),
    'bool_1d': np.array([True, False, True]),
    'bool_2d': np.array([[True, False], [False, True]]),
    'int64_1d': np.array([-2**62, 5], dtype=np.int64),
    'uint8_2d': np.array([[0, 255], [7, 8]], dtype=np.uint8),
    'float32_1d': np.array([0.5, -1.25], dtype=np.float32),
    'empty_array': np.zeros(0),
    'fortran_2d': np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
    'calibration_dict': {'gains': np.array([1.0, 2.0]), 'names': ['a', 'b'], 'offset': 3},
    'instance': calibration(),
    'shared': shared(),
    'cyclic': cyclic(),
}

# Read only: the JS side reads these into forms that write back as other (equal) Python types.
READ_ONLY = {
    'ordered_dict': collections.OrderedDict([('b', 1), ('a', 2)]),
    'integral_float': 2.0,
    'bytearray': bytearray(b'xy'),
    'big_endian': np.array([1, -2], dtype='>i4'),
    'numpy_scalars': [np.float64(1.5), np.int64(2**60), np.int16(-3), np.bool_(True)],
    'string_array': np.array(['ab']),
}

# Write only: values dumpPickle receives in forms loadPickle never returns.
WRITE_ONLY = {
    'py_float': 2.0,
    'small_bigint': 5,
    'typed_array': np.array([1.5, 2.5], dtype=np.float32),
    'undefined_value': {'a': None},
    'map_str_keys': {'x': 1},
}

EXPECTED_FROM_JS = {**CASES, **WRITE_ONLY}


def same(a, b):
    """Equality that also tells int from float, -0.0 from 0.0, tuple from list, dtypes apart."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def verdict(name, loaded):
    if name == 'shared':
        return 'ok' if loaded == [[1], [1]] and loaded[0] is loaded[1] else f'not shared: {loaded!r}'
    if name == 'cyclic':
        return 'ok' if type(loaded) is list and len(loaded) == 1 and loaded[0] is loaded else 'not cyclic'
    expected = EXPECTED_FROM_JS[name]
    return 'ok' if same(expected, loaded) else f'expected {expected!r}, got {loaded!r}'


class Evil:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def main():
    mode, folder = sys.argv[1], sys.argv[2]
    if mode == 'write':
        for name, value in {**CASES, **READ_ONLY}.items():
            for protocol in range(6):
                with open(os.path.join(folder, f'{name}.p{protocol}.pkl'), 'wb') as f:
                    pickle.dump(value, f, protocol=protocol)
    elif mode == 'check':
        result = {}
        for file in sorted(os.listdir(folder)):
            name = file[:-len('.pkl')]
            try:
                with open(os.path.join(folder, file), 'rb') as f:
                    result[name] = verdict(name, pickle.load(f))
            except Exception as error:  # the verdict names it; the test fails on anything but "ok"
                result[name] = f'{type(error).__name__}: {error}'
        print(json.dumps(result))
    elif mode == 'evil':
        with open(os.path.join(folder, 'evil.pkl'), 'wb') as f:
            pickle.dump(Evil(sys.argv[3]), f, protocol=4)


if __name__ == '__main__':
    main()
