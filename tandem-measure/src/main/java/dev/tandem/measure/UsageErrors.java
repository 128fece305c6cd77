package dev.tandem.measure;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one style of every usage error of every command, picocli's own and Tandem's alike:
 *
 * <pre>
 * tandem COMMAND: --flag 'value as typed': what is wrong; what to do (see tandem COMMAND --help)
 * tandem COMMAND: what is wrong; what to do (see tandem COMMAND --help)
 * </pre>
 *
 * The option is named bare, the value the user typed in single quotes, the reason starts in lower
 * case. A command that refuses a value throws a {@link ParameterException} carrying the option
 * ({@link ArgSpec}) and the value as typed, with only the reason as its message; a message that still
 * begins with the option and the value (its own words, or an {@code IllegalArgumentException}'s from
 * a library check) has them taken off, so that they are written once, in this form. picocli's own
 * messages ("Invalid value for option '--n': ...", "Missing required parameter for option ...",
 * "Unknown option: ...") are rewritten here by their type.
 *
 * <p>{@link #handle} is the parameter-exception handler of {@code tandem} and of each command run on its own
 * (the lab's and the advisor's tests). Stateless.
 */
public final class UsageErrors {
    /** The exit code of a usage error. */
    public static final int USAGE = 2;

    private UsageErrors() {}

    /**
     * The parameter-exception handler of every command: prints {@link #line} on the command's error
     * stream and returns {@value #USAGE}.
     *
     * @param e the usage error
     * @param args the arguments, unused
     * @return {@value #USAGE}
     */
    public static int handle(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println(line(e));
        err.flush();
        return USAGE;
    }

    /**
     * {@return a usage error of {@code option} and the value as typed whose message is the whole line's middle,
     * {@code --option 'typed': why}} It carries the option and the value, so that {@link #message} writes them
     * once whatever {@code why} begins with.
     *
     * @param spec the command
     * @param option the option's name as the command declares it, such as {@code --out}
     * @param typed the value as typed
     * @param why what is wrong and what to do, in lower case
     * @param cause the exception that found it, or null
     */
    public static ParameterException bad(CommandSpec spec, String option, Object typed, String why, Throwable cause) {
        OptionSpec o = spec.findOption(option);
        String value = String.valueOf(typed);
        String message = o == null ? option + " '" + value + "': " + why : compose(o, value, why);
        return new ParameterException(spec.commandLine(), message, cause, o, value);
    }

    /** {@return the one line for {@code e}, with the {@code tandem COMMAND: } prefix and the hint at --help} */
    public static String line(ParameterException e) {
        CommandLine cl = e.getCommandLine();
        String name = cl.getCommandSpec().qualifiedName();
        return name + ": " + message(e) + " (see " + name + " --help)";
    }

    /** {@return what was wrong, in the one style, without the prefix and the hint} */
    public static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u) {
            String what = unknownCommand(e.getCommandLine(), u);
            if (what != null) {
                return what;
            }
            List<String> unmatched = u.getUnmatched();
            return unmatched.isEmpty()
                    ? sentence(oneLine(e.getMessage()))
                    : "unexpected argument '" + unmatched.get(0) + "'";
        }
        if (e instanceof MissingParameterException m) {
            for (ArgSpec missing : m.getMissing()) {
                if (missing instanceof OptionSpec o) {
                    return missingValue(e, o);
                }
                return "missing " + missing.paramLabel() + "; give it";
            }
        }
        ArgSpec arg = e.getArgSpec();
        if (e instanceof OverwrittenOptionException w && w.getOverwritten() instanceof OptionSpec o) {
            return o.longestName() + " given more than once; give it once";
        }
        String reason = oneLine(e.getMessage());
        if (e.getCause() instanceof TypeConversionException t) {
            reason = oneLine(t.getMessage());
        } else if (reason.startsWith("Invalid value for ")) {
            // picocli's words for a value its converter threw on: "Invalid value for option '--x': cannot convert"
            reason = reason.replaceFirst("^Invalid value for (option '[^']*'|[^:]*): ", "");
        } else if (arg instanceof OptionSpec o && reason.startsWith("Missing required parameter for option")) {
            return missingValue(e, o);
        }
        String value = e.getValue();
        if (arg instanceof OptionSpec o && value != null) {
            return compose(o, value, reason);
        }
        return sentence(reason);
    }

    private static String compose(OptionSpec o, String value, String reason) {
        return o.longestName() + " '" + value + "': " + sentence(withoutSubject(reason, o, value));
    }

    /**
     * {@return "there is no command 'x'; …" when the first word after a command with subcommands names none of
     * them, "unknown option '--x' (did you mean --y?)" for an option no command has, or null} (picocli's
     * own words were "Unmatched argument at index 0: 'x'" and "Unknown option: '--x'", without a
     * suggestion).
     */
    private static String unknownCommand(CommandLine cl, UnmatchedArgumentException e) {
        List<String> unmatched = e.getUnmatched();
        if (!unmatched.isEmpty() && unmatched.get(0).startsWith("--")) {
            String option = unmatched.get(0).split("=", 2)[0];
            if (cl.getCommandSpec().findOption(option) != null) {
                // it is one of this command's options, so it came after "--": picocli took it as a word, and
                // the message read "unknown option '--task' (did you mean --task?)"
                return "unexpected argument '" + unmatched.get(0) + "' after '--' (what follows -- is never an"
                        + " option; put " + option + " before it)";
            }
            String elsewhere = optionOfACommand(cl, option, unmatched);
            if (elsewhere != null) {
                return "unknown option '" + option + "' for "
                        + cl.getCommandSpec().qualifiedName() + "; put options after the command: " + elsewhere;
            }
            List<String> names = new ArrayList<>();
            cl.getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
            String near = closest(option, names);
            return "unknown option '" + option + "'" + (near == null ? "" : " (did you mean " + near + "?)");
        }
        if (unmatched.isEmpty() || unmatched.get(0).startsWith("-")) {
            return null;
        }
        if (cl.getSubcommands().isEmpty()) {
            // a bare word a command does not take: was picocli's "Unmatched argument at index 1: 'x'"
            String word = unmatched.get(0);
            boolean option = cl.getCommandSpec().findOption("--" + word) != null;
            return "unexpected argument '" + word + "'" + (option ? " (did you mean --" + word + "?)" : "")
                    + (cl.getCommandSpec().positionalParameters().isEmpty()
                            ? "; " + cl.getCommandSpec().qualifiedName() + " takes only options"
                            : "");
        }
        String word = unmatched.get(0);
        // picocli's suggestions are loose (it offered classpath for frobnicate): the closest by edit distance only
        String near = closest(word, cl.getSubcommands().keySet());
        return "there is no command '" + word + "'"
                + (near == null ? "" : " (did you mean " + near + "?)")
                + "; the commands are " + String.join(", ", cl.getSubcommands().keySet());
    }

    /**
     * {@return "tandem lab --quick" when {@code option}, unknown to a command with subcommands, is one of a
     * subcommand's: the one named among the arguments, else the first that has it; null if none has it}
     * ({@code tandem --quick lab} was "unknown option '--quick'", as if no command had it.)
     */
    private static String optionOfACommand(CommandLine cl, String option, List<String> unmatched) {
        if (cl.getSubcommands().isEmpty()) {
            return null;
        }
        List<String> named = new ArrayList<>(unmatched);
        ParseResult parsed = cl.getParseResult();
        if (parsed != null && parsed.subcommand() != null) {
            named.addFirst(parsed.subcommand().commandSpec().name());
        }
        String found = null;
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().findOption(option) == null) {
                continue;
            }
            if (named.contains(sub.getKey())) {
                found = sub.getKey();
                break;
            }
            if (found == null) {
                found = sub.getKey();
            }
        }
        return found == null ? null : cl.getCommandSpec().qualifiedName() + " " + found + " " + option;
    }

    /**
     * {@return the candidate closest to {@code word} by edit distance (insertions, deletions, substitutions), or
     * one that it begins or that begins with it; null if none is close} Close means at most one edit for a word
     * of up to four letters, two for a longer one. The one shared "did you mean" of every command: unknown
     * commands, options, experiments.
     *
     * @param word what was typed
     * @param candidates what it may have meant, in the order to prefer on a tie
     */
    public static String closest(String word, Collection<String> candidates) {
        String bare = word.replaceFirst("^-+", "");
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String cb = c.replaceFirst("^-+", "");
            if (cb.isEmpty() || bare.isEmpty() || c.startsWith("--") != word.startsWith("--")) {
                continue;
            }
            int d = distance(bare, cb);
            boolean prefix = bare.length() >= 3 && (cb.startsWith(bare) || bare.startsWith(cb));
            int allowed = Math.min(bare.length(), cb.length()) <= 4 ? 1 : 2;
            if ((d <= allowed || prefix) && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * {@return the edit distance of {@code a} and {@code b}: insertions, deletions, substitutions and swaps of two
     * adjacent letters} A swap is one edit: {@code --prot} is one from {@code --port} (it counted two, more than a
     * word of four letters may be off, and got no suggestion).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String missingValue(ParameterException e, OptionSpec o) {
        return o.longestName() + " needs a value (" + o.paramLabel() + ")"
                + (e.getValue() == null || e.getValue().isEmpty() ? "" : ", not '" + e.getValue() + "'")
                + "; give it as " + o.longestName() + " " + o.paramLabel();
    }

    /**
     * {@return the reason without a leading "--flag 'value':", "--flag value:", "'value' is" or "--flag:"}
     * so that the option and the value are written once, by {@link #message}
     */
    static String withoutSubject(String reason, OptionSpec o, String value) {
        String r = reason;
        for (String flag : o.names()) {
            for (String head : List.of(
                    flag + " '" + value + "'",
                    flag + " " + value,
                    flag + " entry " + value,
                    flag + " entry '" + value + "'",
                    flag)) {
                if (r.startsWith(head) && (r.length() == head.length() || " :".indexOf(r.charAt(head.length())) >= 0)) {
                    r = r.substring(head.length());
                    break;
                }
            }
        }
        for (String head : List.of("'" + value + "'", value)) {
            if (!head.isEmpty()
                    && r.startsWith(head)
                    && r.length() > head.length()
                    && " :".indexOf(r.charAt(head.length())) >= 0) {
                r = r.substring(head.length());
                break;
            }
        }
        r = r.replaceFirst("^[\\s:]+", "");
        return r.startsWith("is ") ? r.substring(3) : r;
    }

    /** {@return {@code s} with a sentence's capital (Missing, Invalid) in lower case; names (JMH, Task) kept} */
    public static String sentence(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
        }
        return s;
    }

    /** {@return {@code message} on one line: its line breaks, and the blanks around them, as "; "} */
    public static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
