/**
 * Integration and browser tests run real node processes from the production build: build it
 * first when the sources changed since the last build (or there is none, as on a fresh clone).
 */
import { ensureBuild } from '../../scripts/ensure-build';

export default function setup() {
  ensureBuild();
}
