package dev.greeter;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import dev.greeter.probe.ProbeProperties;
import dev.greeter.server.ListenerProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference pages say what the build has: every property in
 * {@code docs/configuration.md} is in the configuration metadata the build generates,
 * with the same default and environment variable, and every one there is here; every
 * {@code greeter_*} series of a live scrape is in {@code docs/metrics.md} with its
 * labels, and every one documented is scraped. A property or a meter added, renamed or
 * removed without its page fails here.
 */
class DocsTests {

	private static final Pattern NAME = Pattern.compile("`([a-z][a-z0-9_.<>\\[\\]-]*)`");

	@Test
	void configurationPageListsEveryPropertyWithItsDefaultAndNoOther() throws Exception {
		Map<String, List<String>> documented = tableRows(Path.of("docs", "configuration.md"));
		Map<String, Object> metadata = metadataDefaults();
		Set<String> greeter = new TreeSet<>();
		for (String name : documented.keySet()) {
			if (name.startsWith("greeter.") && !name.startsWith("greeter.listeners.<name>.")
					&& !name.startsWith("greeter.probe.targets.<name>.")) {
				greeter.add(name);
			}
		}
		assertThat(greeter).as("greeter.* properties documented, against the metadata")
			.containsExactlyInAnyOrderElementsOf(metadata.keySet());
		for (Map.Entry<String, Object> property : metadata.entrySet()) {
			List<String> row = documented.get(property.getKey());
			if (row.size() < 4) {
				continue; // greeter.listeners, a map: its own table, without a variable
			}
			assertThat(row.get(1)).as("environment variable of %s", property.getKey())
				.isEqualTo("`" + property.getKey().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + "`");
			if (property.getValue() != null) {
				assertThat(row.get(2)).as("default of %s", property.getKey())
					.contains(defaultText(property.getValue()));
			}
		}
	}

	@Test
	void configurationPageListsEverySettingOfAListener() throws Exception {
		assertThat(documentedSettings("greeter.listeners.<name>."))
			.containsExactlyInAnyOrderElementsOf(settings("", ListenerProperties.Listener.class));
	}

	@Test
	void configurationPageListsEverySettingOfAProbeTarget() throws Exception {
		assertThat(documentedSettings("greeter.probe.targets.<name>."))
			.containsExactlyInAnyOrderElementsOf(settings("", ProbeProperties.Target.class));
	}

	private static Set<String> documentedSettings(String prefix) throws IOException {
		Set<String> documented = new TreeSet<>();
		for (String name : tableRows(Path.of("docs", "configuration.md")).keySet()) {
			if (name.startsWith(prefix)) {
				documented.add(name.substring(prefix.length()));
			}
		}
		return documented;
	}

	@Test
	void metricsPageListsEverySeriesOfALiveScrapeWithItsLabels() throws Exception {
		Map<String, Set<String>> documented = new LinkedHashMap<>();
		for (String row : tableRows(Path.of("docs", "metrics.md")).keySet()) {
			if (row.startsWith("greeter_")) {
				documented.put(row, new TreeSet<>());
			}
		}
		Pattern withLabels = Pattern.compile("\\| `(greeter_[a-z_]+)(\\{([a-z0-9_,]+)})?`");
		for (String line : Files.readAllLines(Path.of("docs", "metrics.md"))) {
			Matcher matcher = withLabels.matcher(line);
			if (matcher.lookingAt() && matcher.group(3) != null) {
				documented.put(matcher.group(1), new TreeSet<>(List.of(matcher.group(3).split(","))));
			}
		}
		String scrape;
		try (RunningServer server = RunningServer.startWithActuator("greeter.listeners.tcp.greeting=A",
				"greeter.listeners.udp.protocol=udp", "greeter.listeners.udp.greeting=B",
				"greeter.server.proxy-protocol=optional")) {
			// Spring Integration registers its meter with the first greeting sent.
			try (Socket socket = new Socket("127.0.0.1", server.port("tcp"))) {
				socket.setSoTimeout(10_000);
				assertThat(socket.getInputStream().readAllBytes()).asString().isEqualTo("A\r\n");
			}
			scrape = server.get("/prometheus").body();
		}
		Map<String, Set<String>> scraped = new LinkedHashMap<>();
		Matcher sample = Pattern.compile("(?m)^(greeter_[a-z_]+)\\{([^}]*)} ").matcher(scrape);
		while (sample.find()) {
			String family = family(sample.group(1), documented.keySet());
			Set<String> labels = scraped.computeIfAbsent(family, (name) -> new TreeSet<>());
			for (String label : sample.group(2).split(",")) {
				String key = label.substring(0, label.indexOf('='));
				if (!key.equals("listener") && !key.equals("le")) {
					labels.add(key);
				}
			}
		}
		assertThat(scraped.keySet()).as("greeter_* series scraped, against the page")
			.containsExactlyInAnyOrderElementsOf(documented.keySet());
		assertThat(scraped).as("labels besides listener").isEqualTo(documented);
		assertThat(scrape).contains("spring_integration_send_seconds_count{").contains("name=\"tcp.greetingSender\"");
	}

	@Test
	void everyLinkBetweenThePagesLeadsToAFileAndAHeadingThatExist() throws IOException {
		List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
		try (var docs = Files.list(Path.of("docs"))) {
			docs.filter((file) -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
		List<String> broken = new ArrayList<>();
		for (Path page : pages) {
			Matcher matcher = link.matcher(Files.readString(page));
			while (matcher.find()) {
				String target = matcher.group(1);
				if (target.startsWith("http://") || target.startsWith("https://")) {
					continue;
				}
				String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
				Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
				if (!Files.exists(resolved)) {
					broken.add(page + ": " + target + " (no such file)");
				}
				else if (target.contains("#")
						&& !anchors(resolved).contains(target.substring(target.indexOf('#') + 1))) {
					broken.add(page + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	// The anchors GitHub makes of a page's headings: lower case, punctuation dropped,
	// spaces as hyphens.
	private static Set<String> anchors(Path page) throws IOException {
		Set<String> anchors = new LinkedHashSet<>();
		boolean inCode = false;
		for (String line : Files.readAllLines(page)) {
			inCode ^= line.startsWith("```");
			if (!inCode && line.startsWith("#")) {
				String heading = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
				anchors.add(heading.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
			}
		}
		return anchors;
	}

	// A histogram is documented once and scraped as _bucket, _count, _sum and _max.
	private static String family(String sample, Set<String> documented) {
		for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
			String base = sample.substring(0, Math.max(0, sample.length() - suffix.length()));
			if (sample.endsWith(suffix) && documented.contains(base)) {
				return base;
			}
		}
		return sample;
	}

	/**
	 * Each table row of a page, by every backticked name in its first cell.
	 */
	private static Map<String, List<String>> tableRows(Path page) throws IOException {
		Map<String, List<String>> rows = new LinkedHashMap<>();
		for (String line : Files.readAllLines(page)) {
			if (!line.startsWith("| `")) {
				continue;
			}
			List<String> cells = new ArrayList<>();
			for (String cell : line.substring(1, line.length() - 1).split(" \\| ")) {
				cells.add(cell.strip());
			}
			Matcher names = NAME.matcher(cells.get(0));
			while (names.find()) {
				String name = names.group(1).replaceAll("\\{.*", "");
				assertThat(rows.put(name, cells)).as("%s documented twice in %s", name, page).isNull();
			}
		}
		return rows;
	}

	private static Map<String, Object> metadataDefaults() throws IOException {
		Map<String, Object> defaults = new LinkedHashMap<>();
		Enumeration<URL> files = DocsTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json");
		while (files.hasMoreElements()) {
			String json;
			try (InputStream input = files.nextElement().openStream()) {
				json = new String(input.readAllBytes(), StandardCharsets.UTF_8);
			}
			for (Map<String, Object> property : JsonPath.<List<Map<String, Object>>>read(json, "$.properties[*]")) {
				String name = (String) property.get("name");
				if (name.startsWith("greeter.")) {
					defaults.put(name, property.get("defaultValue"));
				}
			}
		}
		assertThat(defaults).as("the generated metadata").isNotEmpty();
		return defaults;
	}

	// A list's default is in the metadata as its toString, "[a, b]"; the page writes it
	// as a user sets it, "a,b".
	private static String defaultText(Object value) {
		String text = String.valueOf(value);
		if (text.startsWith("[") && text.endsWith("]")) {
			text = text.substring(1, text.length() - 1).replace(", ", ",");
		}
		return text.isEmpty() ? "empty" : "`" + text + "`";
	}

	// The kebab-case names of a settings record, nested records flattened with dots.
	private static Set<String> settings(String prefix, Class<?> record) {
		Set<String> names = new LinkedHashSet<>();
		for (RecordComponent component : record.getRecordComponents()) {
			String name = prefix + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
			if (component.getType().isRecord()) {
				names.addAll(settings(name + ".", component.getType()));
			}
			else {
				names.add(name);
			}
		}
		return names;
	}

}
