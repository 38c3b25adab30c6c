package io.externalmetrics.adapter.k8s;

import io.externalmetrics.adapter.k8s.Requirement.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A line-by-line port of the lexer and recursive-descent parser in Go's {@code pkg/labels/selector.go}
 * (apimachinery HEAD, so {@code x in (a,,)} parses), so that odd inputs are accepted or rejected exactly
 * as Kubernetes does. Error messages follow Go's.
 */
final class SelectorParser {

    private enum Token {
        ERROR, END, CLOSED_PAR, COMMA, DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, GREATER_THAN, IDENTIFIER, IN,
        LESS_THAN, NOT_EQUALS, NOT_IN, OPEN_PAR
    }

    /** In a value position, {@code in} and {@code notin} are plain identifiers ({@code x in (in)}). */
    private enum Context { KEY_AND_OPERATOR, VALUES }

    private record Item(Token token, String literal) {

        /** How a message shows the token: Go's {@code '%s'}, with a name for the end. */
        String describe() {
            return token == Token.END ? "end of string" : "'" + literal + "'";
        }
    }

    private static final Map<String, Token> LITERALS = Map.ofEntries(
            Map.entry(")", Token.CLOSED_PAR), Map.entry(",", Token.COMMA), Map.entry("!", Token.DOES_NOT_EXIST),
            Map.entry("==", Token.DOUBLE_EQUALS), Map.entry("=", Token.EQUALS), Map.entry(">", Token.GREATER_THAN),
            Map.entry("in", Token.IN), Map.entry("<", Token.LESS_THAN), Map.entry("!=", Token.NOT_EQUALS),
            Map.entry("notin", Token.NOT_IN), Map.entry("(", Token.OPEN_PAR));

    private final String input;
    private int pos; // lexer position
    private final List<Item> items = new ArrayList<>();
    private int position; // parser position in items

    private SelectorParser(String input) {
        this.input = input;
    }

    /** The requirements of {@code selector}, in input order. */
    static List<Requirement> parse(String selector) {
        return new SelectorParser(selector).parse();
    }

    // ---- lexer --------------------------------------------------------------------------------------

    /** The next character, or 0 at the end (as in Go, a NUL in the input also reads as 0). */
    private char read() {
        return pos < input.length() ? input.charAt(pos++) : 0;
    }

    private void unread() {
        pos--;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isSpecialSymbol(char c) {
        return switch (c) {
            case '=', '!', '(', ')', ',', '>', '<' -> true;
            default -> false;
        };
    }

    private Item lex() {
        char c = read();
        while (isWhitespace(c)) {
            c = read();
        }
        if (c == 0) {
            return new Item(Token.END, "");
        }
        unread();
        return isSpecialSymbol(c) ? scanSpecialSymbol() : scanIdentifierOrKeyword();
    }

    private Item scanIdentifierOrKeyword() {
        StringBuilder b = new StringBuilder();
        for (char c = read(); c != 0; c = read()) {
            if (isSpecialSymbol(c) || isWhitespace(c)) {
                unread();
                break;
            }
            b.append(c);
        }
        String literal = b.toString();
        return new Item(LITERALS.getOrDefault(literal, Token.IDENTIFIER), literal);
    }

    /** The longest operator made of special symbols: {@code !=} rather than {@code !}. */
    private Item scanSpecialSymbol() {
        StringBuilder b = new StringBuilder();
        Item last = null;
        for (char c = read(); c != 0; c = read()) {
            if (!isSpecialSymbol(c)) {
                unread();
                break;
            }
            b.append(c);
            Token token = LITERALS.get(b.toString());
            if (token != null) {
                last = new Item(token, b.toString());
            } else if (last != null) {
                unread();
                break;
            }
        }
        return last != null ? last : new Item(Token.ERROR, "error expected: keyword found '" + b + "'");
    }

    // ---- parser -------------------------------------------------------------------------------------

    private Item lookahead(Context context) {
        return inContext(items.get(Math.min(position, items.size() - 1)), context);
    }

    private Item consume(Context context) {
        Item item = lookahead(context);
        position++;
        return item;
    }

    private static Item inContext(Item item, Context context) {
        boolean keyword = item.token() == Token.IN || item.token() == Token.NOT_IN;
        return context == Context.VALUES && keyword ? new Item(Token.IDENTIFIER, item.literal()) : item;
    }

    private List<Requirement> parse() {
        Item item;
        do {
            item = lex();
            items.add(item);
        } while (item.token() != Token.END);

        List<Requirement> requirements = new ArrayList<>();
        while (true) {
            Item next = lookahead(Context.VALUES);
            switch (next.token()) {
                case IDENTIFIER, DOES_NOT_EXIST -> {
                    try {
                        requirements.add(parseRequirement());
                    } catch (SelectorParseException e) {
                        throw new SelectorParseException("unable to parse requirement: " + e.getMessage(), e);
                    }
                    Item after = consume(Context.VALUES);
                    switch (after.token()) {
                        case END -> {
                            return requirements;
                        }
                        case COMMA -> {
                            Item following = lookahead(Context.VALUES);
                            if (following.token() != Token.IDENTIFIER && following.token() != Token.DOES_NOT_EXIST) {
                                throw fail("found " + following.describe() + ", expected: identifier after ','");
                            }
                        }
                        default -> throw fail("found " + after.describe() + ", expected: ',' or 'end of string'");
                    }
                }
                case END -> {
                    return requirements;
                }
                default -> throw fail("found " + next.describe() + ", expected: !, identifier, or 'end of string'");
            }
        }
    }

    private Requirement parseRequirement() {
        boolean doesNotExist = false;
        Item key = consume(Context.VALUES);
        if (key.token() == Token.DOES_NOT_EXIST) {
            doesNotExist = true;
            key = consume(Context.VALUES);
        }
        if (key.token() != Token.IDENTIFIER) {
            throw fail("found " + key.describe() + ", expected: identifier");
        }
        List<String> keyErrors = LabelRules.keyErrors(key.literal());
        if (!keyErrors.isEmpty()) {
            throw fail("invalid label key " + GoText.quote(key.literal()) + ": " + String.join("; ", keyErrors));
        }
        Token next = lookahead(Context.VALUES).token();
        if (doesNotExist) { // like Go, "!x" takes no operator; whatever follows is the caller's problem
            return newRequirement(key.literal(), Operator.DOES_NOT_EXIST, List.of());
        }
        if (next == Token.END || next == Token.COMMA) {
            return newRequirement(key.literal(), Operator.EXISTS, List.of());
        }
        Operator operator = parseOperator();
        List<String> values = operator == Operator.IN || operator == Operator.NOT_IN
                ? parseValues() : parseExactValue();
        return newRequirement(key.literal(), operator, values);
    }

    private Operator parseOperator() {
        Item item = consume(Context.KEY_AND_OPERATOR);
        return switch (item.token()) {
            case IN -> Operator.IN;
            case EQUALS -> Operator.EQUALS;
            case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
            case GREATER_THAN -> Operator.GREATER_THAN;
            case LESS_THAN -> Operator.LESS_THAN;
            case NOT_IN -> Operator.NOT_IN;
            case NOT_EQUALS -> Operator.NOT_EQUALS;
            default -> throw fail("found " + item.describe() + ", expected: in, notin, =, ==, !=, gt, lt");
        };
    }

    /** {@code (a,b)}; empty entries are the empty value ({@code ()} is {@code ("")}). */
    private List<String> parseValues() {
        Item open = consume(Context.VALUES);
        if (open.token() != Token.OPEN_PAR) {
            throw fail("found " + open.describe() + ", expected: '('");
        }
        Item first = lookahead(Context.VALUES);
        switch (first.token()) {
            case IDENTIFIER, COMMA -> {
                List<String> values = parseIdentifiersList();
                consume(Context.VALUES); // the ')' that ended the list
                return values;
            }
            case CLOSED_PAR -> {
                consume(Context.VALUES);
                return List.of("");
            }
            default -> throw fail("found " + first.describe() + ", expected: ',', ')' or identifier");
        }
    }

    /** Comma-separated, possibly empty identifiers up to (not including) ')'; sorted, no duplicates. */
    private List<String> parseIdentifiersList() {
        TreeSet<String> values = new TreeSet<>();
        while (true) {
            Item item = consume(Context.VALUES);
            switch (item.token()) {
                case IDENTIFIER -> {
                    values.add(item.literal());
                    Item next = lookahead(Context.VALUES);
                    if (next.token() == Token.CLOSED_PAR) {
                        return List.copyOf(values);
                    }
                    if (next.token() != Token.COMMA) {
                        throw fail("found " + next.describe() + ", expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (values.isEmpty()) {
                        values.add(""); // "(,"
                    }
                    Token next = lookahead(Context.VALUES).token();
                    if (next == Token.COMMA || next == Token.CLOSED_PAR) {
                        values.add(""); // ",," and ",)"
                    }
                    if (next == Token.CLOSED_PAR) {
                        return List.copyOf(values);
                    }
                }
                default -> throw fail("found " + item.describe() + ", expected: ',', or identifier");
            }
        }
    }

    /** The value after {@code =}, {@code ==}, {@code !=}, {@code >}, {@code <}; empty if none follows. */
    private List<String> parseExactValue() {
        Token next = lookahead(Context.VALUES).token();
        if (next == Token.END || next == Token.COMMA) {
            return List.of("");
        }
        Item item = consume(Context.VALUES);
        if (item.token() != Token.IDENTIFIER) {
            throw fail("found " + item.describe() + ", expected: identifier");
        }
        return List.of(item.literal());
    }

    /** Go's {@code NewRequirement} checks on the values, all reported at once. */
    private static Requirement newRequirement(String key, Operator operator, List<String> values) {
        List<String> errors = new ArrayList<>();
        for (String value : values) {
            boolean integerOperator = operator == Operator.GREATER_THAN || operator == Operator.LESS_THAN;
            if (integerOperator && GoText.parseInt64(value).isEmpty()) {
                errors.add("invalid value " + GoText.quote(value)
                        + ": for 'gt', 'lt' operators, the value must be an integer");
            }
            List<String> valueErrors = LabelRules.valueErrors(value);
            if (!valueErrors.isEmpty()) {
                errors.add("invalid value " + GoText.quote(value) + " for label " + GoText.quote(key) + ": "
                        + String.join("; ", valueErrors));
            }
        }
        if (!errors.isEmpty()) {
            throw fail(String.join("; ", errors));
        }
        return new Requirement(key, operator, values);
    }

    private static SelectorParseException fail(String message) {
        return new SelectorParseException(message);
    }
}
