import { EtlError } from './etl.error';

/** Raised when the run's AbortSignal fires. */
export function abortedError(signal: AbortSignal): EtlError {
  return new EtlError('ABORTED', 'the ETL run was aborted; nothing was loaded', {}, { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw abortedError(signal);
  }
}

/** Resolves as the promise does, or rejects with `ABORTED` as soon as the signal fires. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) {
    return promise;
  }

  if (signal.aborted) {
    return Promise.reject(abortedError(signal));
  }

  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));

    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
