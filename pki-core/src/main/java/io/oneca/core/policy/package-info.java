/** What a {@code OneCa} agrees to certify: {@link io.oneca.core.policy.IssuancePolicy}. */
package io.oneca.core.policy;
