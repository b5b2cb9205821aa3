/** Runnable demos of OneCA on the embedded file store. */
module io.oneca.samples {
  requires io.oneca.core;
}
