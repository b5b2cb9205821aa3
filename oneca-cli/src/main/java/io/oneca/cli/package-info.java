/**
 * The {@code oneca} command line: {@link io.oneca.cli.Main} and one class per command. Nothing here
 * is an API; embed {@code pki-core} to do the same from code.
 */
package io.oneca.cli;
