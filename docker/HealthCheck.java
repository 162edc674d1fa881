import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container's HEALTHCHECK: asks tcp-greeter's readiness endpoint and exits 0 when it answers 200.
 * The runtime image has no curl or wget, so this is compiled into it; it asks the actuator rather than
 * port 8000 so that health checks never show up in the greeting metrics.
 *
 * java -cp /app/healthcheck HealthCheck [url]
 */
public final class HealthCheck {

	private HealthCheck() {
	}

	public static void main(String[] args) throws Exception {
		String port = System.getenv().getOrDefault("SERVER_PORT", "8080");
		String url = (args.length > 0) ? args[0] : "http://127.0.0.1:" + port + "/actuator/health/readiness";
		HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
		connection.setConnectTimeout(2000);
		connection.setReadTimeout(2000);
		try {
			int status = connection.getResponseCode();
			if (status != 200) {
				System.err.println("tcp-greeter health: " + url + " answered " + status);
				System.exit(1);
			}
		}
		catch (Exception ex) {
			System.err.println("tcp-greeter health: " + url + ": " + ex);
			System.exit(1);
		}
		finally {
			connection.disconnect();
		}
	}

}
