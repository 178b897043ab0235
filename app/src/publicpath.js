// Chunks and assets live under the server's static URL, known only at run time.
import { readPageOption } from './page-config.js';

// eslint-disable-next-line no-undef
__webpack_public_path__ = `${readPageOption('fullStaticUrl')}/`;
