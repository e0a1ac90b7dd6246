// Entry point of the plain pages (login, parcel status): styles only.
import './styles.css';
