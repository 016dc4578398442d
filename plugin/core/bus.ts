import { EventEmitter } from 'node:events';
import type { BusEvents } from './types';

type Listener<K extends keyof BusEvents> = (event: BusEvents[K]) => void;

/**
 * The in-process event bus. The pipeline publishes; the API, the adapters and
 * the outbox subscribe. A throwing subscriber is reported through `error`
 * listeners and never stops delivery to the others.
 */
export class Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof BusEvents>(name: K, listener: Listener<K>): () => void {
    const guarded = (event: BusEvents[K]): void => {
      try {
        listener(event);
      } catch (error) {
        this.emitter.emit('subscriber-error', { name, error });
      }
    };
    this.emitter.on(name, guarded);
    return () => this.emitter.off(name, guarded);
  }

  onSubscriberError(listener: (info: { name: string; error: unknown }) => void): void {
    this.emitter.on('subscriber-error', listener);
  }

  publish<K extends keyof BusEvents>(name: K, event: BusEvents[K]): void {
    this.emitter.emit(name, event);
  }
}
