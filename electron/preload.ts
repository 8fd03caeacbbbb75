/**
 * The renderer's one door into the app: `call(op, input)` and one event subscription. It runs
 * sandboxed (bundled to a single CommonJS file; only 'electron' may be required) and exposes
 * nothing else: no ipcRenderer, no Node.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT, type UiEvent, type UiResult } from '../shared/ui/contract.js';

export interface KeyholdBridge {
  call(op: string, input: unknown): Promise<UiResult>;
  onEvent(listener: (event: UiEvent) => void): () => void;
}

const bridge: KeyholdBridge = {
  call: (op, input) => ipcRenderer.invoke(IPC_CALL, { op, input }) as Promise<UiResult>,
  onEvent(listener) {
    const wrapped = (_e: IpcRendererEvent, event: UiEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => void ipcRenderer.off(IPC_EVENT, wrapped);
  },
};

contextBridge.exposeInMainWorld('keyhold', bridge);
