/** Certificates on disk: atomic publication and content-based reloading. */
package io.oneca.core.files;
