import { parseCommand, UsageError, USAGE, type Command } from './args.ts';
import { exitCodeOf, formatReport } from './report.ts';
import { CannotCheck } from './source-file.ts';
import { validateManifestFile } from './validate-manifest-command.ts';
import { validateSpecFile } from './validate-spec-command.ts';
import { formatVerifyReport, verifyFile } from './verify-command.ts';

/** The maestro CLI: exit 0 valid, 1 invalid, 2 usage error or the check could not run. */
async function run(command: Command): Promise<number> {
  switch (command.name) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'validate': {
      const report = await validateSpecFile(command.file, command.api);
      console.log(formatReport(report, command.format));
      return exitCodeOf(report);
    }
    case 'validate-manifest': {
      const report = validateManifestFile(command.file);
      console.log(formatReport(report, command.format));
      return exitCodeOf(report);
    }
    case 'verify': {
      const report = await verifyFile(command);
      console.log(formatVerifyReport(report, command.format));
      return report.result.ok ? 0 : 1;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseCommand(argv));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`maestro: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof CannotCheck) {
      console.error(`maestro: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
