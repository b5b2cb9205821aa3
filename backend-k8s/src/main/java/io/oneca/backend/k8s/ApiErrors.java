package io.oneca.backend.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.oneca.api.OneCaException;
import io.oneca.api.StoreUnavailableException;
import java.util.concurrent.CompletionException;

/**
 * Classifies failures of API calls by HTTP status code (never by reason text: the mock server says
 * {@code Invalid} where kube-apiserver says {@code AlreadyExists} or {@code Conflict}).
 */
final class ApiErrors {
  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;

  private ApiErrors() {}

  static int code(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof KubernetesClientException k ? k.getCode() : 0;
  }

  static boolean isConflict(Throwable error) {
    return code(error) == CONFLICT;
  }

  static boolean isNotFound(Throwable error) {
    return code(error) == NOT_FOUND;
  }

  /**
   * Whether a failed write may nevertheless have been applied: no HTTP status at all (timeout,
   * connection lost after sending) or a 5xx (kube-apiserver answers 500/504 when etcd was slow,
   * possibly after committing). A 4xx is a definite refusal.
   */
  static boolean outcomeUnknown(Throwable error) {
    int code = code(error);
    return code <= 0 || code >= 500; // fabric8 reports -1 (or 0) when no HTTP status was received
  }

  /** Maps a failure that is not a conflict or a settled outcome to the store's exception. */
  static OneCaException toStoreException(
      String backend, String key, boolean writeOutcomeUnknown, String operation, Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof OneCaException e) {
      return e;
    }
    int code = code(t);
    String detail = operation + " failed" + (code <= 0 ? "" : " with HTTP " + code)
        + (code == 401 || code == 403 ? " (check the Role: see the module README for the verbs needed)" : "")
        + ": " + describe(t);
    return new StoreUnavailableException(backend, key, writeOutcomeUnknown, detail, t);
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
      message = k.getStatus().getMessage();
    }
    String text = t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    Throwable cause = t.getCause();
    if (cause != null && cause != t) {
      text += " (caused by " + cause.getClass().getSimpleName() + ")";
    }
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }
}
