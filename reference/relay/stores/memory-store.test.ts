import { MemoryStore } from './memory-store.ts';
import { describeRelayStoreContract } from './store-contract.ts';

describeRelayStoreContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
