package io.oneca.cli;

import io.oneca.api.OneCaException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code oneca} command: only its subcommands do anything. */
@Command(name = "oneca",
    mixinStandardHelpOptions = true,
    versionProvider = OneCaCli.Version.class,
    description = "Operate the one CA that OneCA replicas share through a versioned store.",
    subcommands = {InspectCommand.class, VerifyCommand.class, ExportCommand.class, ImportCommand.class,
        RotateCommand.class, LineageCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success; every check passed",
        "1:a replica disagrees with the store, the store holds a different CA, or a rotation step had nothing to do",
        "2:usage error, store unavailable, unreadable record or wrong key-encryption key",
        "3:the store holds no CA record at the key"})
final class OneCaCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Returns a command line for {@code oneca}, with OneCA's exit codes and error messages. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new OneCaCli());
    commandLine.setExecutionExceptionHandler(OneCaCli::onError);
    commandLine.setExitCodeExceptionMapper(error -> ExitCodes.ERROR);
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  private static int onError(Exception error, CommandLine commandLine, CommandLine.ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    err.println("error: " + describe(error));
    err.flush();
    return ExitCodes.ERROR;
  }

  /** Describes a failure for operators: OneCA's messages name backend, key and version; never key material. */
  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException) {
      if (cause.getCause() == null) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof OneCaException || cause instanceof CliException) {
      return cause.getMessage();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  /** Reports this jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = OneCaCli.class.getPackage().getImplementationVersion();
      return new String[] {"oneca " + (version == null ? "(development build)" : version)};
    }
  }
}
