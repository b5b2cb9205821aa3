package io.oneca.cli;

/** Runs the {@code oneca} command line and exits with its exit code (see {@link ExitCodes}). */
public final class Main {
  private Main() {}

  /**
   * Runs the command line.
   *
   * @param args the arguments, for example {@code inspect --store etcd://127.0.0.1:2379}
   */
  public static void main(String[] args) {
    System.exit(OneCaCli.commandLine().execute(args));
  }
}
