import { StorageFront } from '../../src/index.js';
import { MapAdapter } from './map-adapter.js';

/** The example Map adapter behind core's checking front: a complete `StorageBackend` for tests. */
export class MapBackend extends StorageFront {
  constructor() {
    super(new MapAdapter());
  }
}
