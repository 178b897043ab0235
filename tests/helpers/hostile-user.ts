/**
 * Runs as the second Unix user of hostile-user.test.ts and plants what it is told to, ignoring
 * what it may not do (that is the point: it tries wherever it can). argv[2]: a JSON list of
 * { op: 'mkdir' | 'symlink' | 'write' | 'rename' | 'chmod', path, target?, base64?, mode? }.
 * Prints a JSON list of the ops that succeeded.
 */
import * as fs from 'node:fs';

interface Plant {
  op: string;
  path: string;
  target?: string;
  base64?: string;
  mode?: number;
}

const done: string[] = [];
for (const plant of JSON.parse(process.argv[2]) as Plant[]) {
  try {
    if (plant.op === 'mkdir') fs.mkdirSync(plant.path, { mode: plant.mode ?? 0o777 });
    else if (plant.op === 'symlink') fs.symlinkSync(plant.target!, plant.path);
    else if (plant.op === 'write')
      fs.writeFileSync(plant.path, Buffer.from(plant.base64 ?? '', 'base64'), { mode: plant.mode ?? 0o666 });
    else if (plant.op === 'rename') fs.renameSync(plant.path, plant.target!);
    else if (plant.op === 'chmod') fs.chmodSync(plant.path, plant.mode!);
    done.push(`${plant.op} ${plant.path}`);
  } catch {
    // not allowed: fine
  }
}
process.stdout.write(JSON.stringify(done));
