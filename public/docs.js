// Starts Swagger UI on /docs (its assets are served by the platform: /swagger-ui/).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
