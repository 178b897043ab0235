/** The pickle codec: reads and writes the `<name>.pkl` files of AxoPy's TaskWriter.pickle. */
export { loadPickle } from './load.js';
export { dumpPickle } from './dump.js';
export {
  PyComplex,
  PyFloat,
  PyFrozenSet,
  PyGlobal,
  PyObject,
  PyTuple,
  pyFloat,
  pyTuple,
  type PickleDict,
  type PickleValue
} from './values.js';
