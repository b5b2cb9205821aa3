/**
 * CA rotation: thresholds, the slots of the CA record as seen by users, and transition results.
 * The operations live on {@link io.oneca.core.CaRotation}, obtained from
 * {@link io.oneca.core.OneCa#rotation()}.
 */
package io.oneca.core.rotation;
